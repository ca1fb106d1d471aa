using System.Net;
using System.Net.Sockets;

namespace Coinshard.TestSupport;

/// <summary>
/// Loopback TCP ports that are free right now. Another process can still take a port before we bind it,
/// so whoever starts a server on it must retry with a new port on a bind conflict (LitecoindNode does).
/// Ports handed out once are never handed out again by this process.
/// </summary>
public static class FreePorts
{
    private static readonly HashSet<int> Issued = [];
    private static readonly Lock Gate = new();

    /// <summary>A free loopback port not handed out before in this process.</summary>
    public static int Next()
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            lock (Gate)
            {
                if (Issued.Add(port))
                {
                    return port;
                }
            }
        }
        throw new InvalidOperationException("could not find a free loopback port");
    }

    /// <summary>True when nothing listens on <paramref name="port"/> on loopback.</summary>
    public static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
