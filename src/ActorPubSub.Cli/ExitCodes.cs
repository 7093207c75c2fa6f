namespace ActorPubSub.Cli;

/// <summary>pbm's exit codes, for scripts and Kubernetes hooks.</summary>
public static class ExitCodes
{
    /// <summary>The command ran (a tail stopped with Ctrl-C included).</summary>
    public const int Ok = 0;

    /// <summary>The command failed, or what it names does not exist (unknown palette, command, topic, member).</summary>
    public const int Failed = 1;

    /// <summary>The command line is wrong (unknown option, missing or bad argument): the usage is printed.</summary>
    public const int Usage = 2;

    /// <summary>The host cannot be reached, has no admin endpoint, or refused the token.</summary>
    public const int Unreachable = 3;
}
