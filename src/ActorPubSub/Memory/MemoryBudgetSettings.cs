using Akka.Configuration;

namespace ActorPubSub.Memory;

// Placeholder until the settings reader lands: a fixed budget from actorpubsub.memory-budget (a size) or 256 MiB.
public sealed record MemoryBudgetSettings(long Bytes, string Source)
{
    public static MemoryBudgetSettings Create(Config root)
    {
        var value = root.GetString("memory-budget", "auto");
        return value == "auto"
            ? new MemoryBudgetSettings(256L << 20, "default 256 MiB")
            : new MemoryBudgetSettings(root.GetByteSize("memory-budget")!.Value, "memory-budget = " + value);
    }
}
