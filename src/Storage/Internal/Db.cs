using System.Data.Common;

using Coinshard.Chain.Hashing;

namespace Coinshard.Storage.Internal;

/// <summary>Small ADO.NET helpers shared by both engines.</summary>
internal static class Db
{
    /// <summary>Sets a parameter, adding it on first use so that cached (prepared) commands are reused.</summary>
    public static void Set(DbCommand command, string name, object? value)
    {
        var parameters = command.Parameters;
        var index = parameters.IndexOf(name);
        if (index >= 0)
        {
            parameters[index].Value = value ?? DBNull.Value;
            return;
        }
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        parameters.Add(parameter);
    }

    public static byte[] Bytes(Hash256 hash) => hash.ToArray();

    public static Hash256 Hash(DbDataReader reader, int ordinal) => new((byte[])reader.GetValue(ordinal));

    public static async Task<int> ExecuteAsync(DbCommand command, CancellationToken ct) =>
        await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);

    public static async Task<object?> ScalarAsync(DbCommand command, CancellationToken ct)
    {
        var value = await command.ExecuteScalarAsync(ct).ConfigureAwait(false);
        return value is DBNull ? null : value;
    }

    /// <summary>The change feed's touched-keys blob: sorted keys, 8 bytes each, little-endian.</summary>
    public static byte[] PackKeys(IReadOnlyList<ulong> sortedKeys)
    {
        var bytes = new byte[sortedKeys.Count * 8];
        for (var i = 0; i < sortedKeys.Count; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(i * 8), sortedKeys[i]);
        }
        return bytes;
    }

    public static ulong[] UnpackKeys(byte[] bytes)
    {
        var keys = new ulong[bytes.Length / 8];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(i * 8));
        }
        return keys;
    }
}
