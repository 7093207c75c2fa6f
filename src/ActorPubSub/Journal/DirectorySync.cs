using System.Runtime.InteropServices;

namespace ActorPubSub.Journal;

/// <summary>
/// Makes a directory's entries durable (an fsync of the directory), so that a file created in it survives a crash of the
/// machine along with its contents. .NET has no call for it; on Linux and macOS it is libc's open, fsync and close. On
/// Windows, NTFS journals its directory entries and there is nothing to do.
/// </summary>
internal static class DirectorySync
{
    private const int ReadOnly = 0;   // O_RDONLY

    /// <summary>Syncs <paramref name="directory"/>; throws <see cref="IOException"/> when the system refused.</summary>
    public static void Sync(string directory)
    {
        if (OperatingSystem.IsWindows()) return;
        var fd = Open(directory, ReadOnly);
        if (fd < 0) throw Failure("open", directory);
        try
        {
            if (Fsync(fd) != 0) throw Failure("fsync", directory);
        }
        finally
        {
            _ = Close(fd);
        }
    }

    private static IOException Failure(string call, string directory) =>
        new($"{call} of the directory {directory} failed: {Marshal.GetLastPInvokeErrorMessage()} (errno {Marshal.GetLastPInvokeError()})");

    // DllImport, not LibraryImport: the generated marshalling needs unsafe code, which the library does not allow.
    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static extern int Fsync(int fd);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);
}
