namespace ActorPubSub.Tests.Support;

/// <summary>A SQLite file of its own for one test, deleted (with its WAL files) afterwards.</summary>
public sealed class TempDatabase : IDisposable
{
    private static readonly string Root = Path.Combine(Path.GetTempPath(), "actorpubsub-tests");

    public TempDatabase()
    {
        Directory.CreateDirectory(Root);
        File = Path.Combine(Root, $"{Guid.NewGuid():N}.db");
    }

    public string File { get; }

    public void Dispose()
    {
        foreach (var path in new[] { File, File + "-wal", File + "-shm" })
        {
            try { System.IO.File.Delete(path); }
            catch (IOException) { /* still open by a pooled connection; the temp folder is scratch space */ }
        }
    }
}
