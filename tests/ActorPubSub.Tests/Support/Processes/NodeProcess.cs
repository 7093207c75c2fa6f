namespace ActorPubSub.Tests.Support.Processes;

/// <summary>
/// The built ActorPubSub.Node run as a real process, configured through <c>ACTORPUBSUB_Node__*</c> environment
/// variables only (none inherited from the test's environment).
/// </summary>
public sealed class NodeProcess : ServiceProcess
{
    private NodeProcess(IReadOnlyDictionary<string, string> environment, string workingDirectory)
        : base(NodePath, environment, workingDirectory, arguments: null, launcher: null)
    {
    }

    /// <summary>Starts the node with <c>ACTORPUBSUB_Node__{key}={value}</c> for each setting.</summary>
    public static NodeProcess Start(IReadOnlyDictionary<string, string> settings, string workingDirectory) =>
        new(settings.ToDictionary(s => $"ACTORPUBSUB_Node__{s.Key}", s => s.Value), workingDirectory);
}
