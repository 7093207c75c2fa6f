using System.Net;
using System.Net.Sockets;

namespace ActorPubSub.Tests.Support;

/// <summary>Throws random bytes at a listening port: each connection gets 1 byte to 64 KiB of noise and is closed.</summary>
public static class RandomBytes
{
    public static async Task SendAsync(IPEndPoint endpoint, int connections, int seed = 7)
    {
        var random = new Random(seed);   // reproducible noise
        for (var i = 0; i < connections; i++)
        {
            var noise = new byte[random.Next(1, 64 * 1024)];
            random.NextBytes(noise);
            using var client = new TcpClient();
            await client.ConnectAsync(endpoint);
            try
            {
                await client.GetStream().WriteAsync(noise);
            }
            catch (IOException)
            {
                // The server may close the connection as soon as it sees the first bad bytes: that is the point.
            }
        }
    }
}
