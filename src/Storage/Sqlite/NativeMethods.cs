using System.Runtime.InteropServices;

namespace Coinshard.Storage.Sqlite;

/// <summary>
/// The few SQLite calls a snapshot load makes per row, bound to the bundled e_sqlite3 directly without a GC
/// transition: through SQLitePCLRaw each bind costs a provider call and a full P/Invoke transition, which at
/// five binds per row was a large share of the one writer thread's time.
/// </summary>
/// <remarks>
/// Only for calls that return at once and never call back into .NET: binds on a statement of the writer
/// connection, which one thread uses at a time (the connection's mutex is then never contended).
/// </remarks>
internal static class NativeMethods
{
    private const string Library = "e_sqlite3";

    /// <summary>SQLITE_STATIC: SQLite uses the bound memory as is until the statement is stepped or reset.</summary>
    public const nint Static = 0;

    [DllImport(Library, EntryPoint = "sqlite3_bind_int64", ExactSpelling = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    [SuppressGCTransition]
    public static extern int BindInt64(nint statement, int index, long value);

    [DllImport(Library, EntryPoint = "sqlite3_bind_blob", ExactSpelling = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    [SuppressGCTransition]
    public static extern int BindBlob(nint statement, int index, nint value, int length, nint destructor);
}
