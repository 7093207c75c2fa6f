using System.Text.Json;
using System.Text.Json.Serialization;

namespace ActorPubSub.Bench;

/// <summary>One measured run of one workload.</summary>
internal sealed record BenchResult
{
    public required string Workload { get; init; }
    public required string Store { get; init; }
    public required string Topology { get; init; }
    public long Messages { get; init; }
    public double Seconds { get; init; }
    /// <summary>Confirmed publishes per second (durable) or sent per second (transient).</summary>
    public double PublishPerSecond { get; init; }
    /// <summary>Messages per second acknowledged (durable) or received (transient) per subscription.</summary>
    public double EndToEndPerSecond { get; init; }
    /// <summary>W1/W2: messages per second until the handlers had them all (before their acks reached the topic).</summary>
    [JsonPropertyName("handler_e2e_per_second")] public double? HandlerEndToEndPerSecond { get; init; }
    public double? P50Micros { get; init; }
    public double? P99Micros { get; init; }
    public double? P999Micros { get; init; }
    public double? MaxMicros { get; init; }
    public long Duplicates { get; init; }
    /// <summary>Transient messages that never arrived (fire-and-forget drops).</summary>
    public long Dropped { get; init; }
    public long PeakWorkingSetMb { get; init; }
    /// <summary>Free text for what a workload measures beyond the columns (e.g. the mediator ratio).</summary>
    public string? Note { get; init; }

    // --node-process only, named as the peers' harness names them: the wait for an idle machine before the run, and
    // the CPU seconds the node (the broker), this process (the client) and everything else spent during it.
    [JsonPropertyName("quiet_wait_s")] public double? QuietWaitSeconds { get; init; }
    [JsonPropertyName("cpu_server_s")] public double? CpuServerSeconds { get; init; }
    [JsonPropertyName("cpu_client_s")] public double? CpuClientSeconds { get; init; }
    [JsonPropertyName("cpu_other_s")] public double? CpuOtherSeconds { get; init; }
    /// <summary>
    /// Bytes this process (the client) allocated during the run, in MB: with the client in its own process, the GC's share
    /// of its CPU follows this figure, so it is the one to watch when working on the client's cost per message.
    /// </summary>
    [JsonPropertyName("alloc_client_mb")] public double? AllocClientMb { get; init; }

    // W5 (backlog) only; null for the other workloads, and then left out of the JSON.
    [JsonPropertyName("backlog_messages")] public long? BacklogMessages { get; init; }
    [JsonPropertyName("publish_msgs_s")] public double? PublishMsgsS { get; init; }
    [JsonPropertyName("refused")] public long? Refused { get; init; }
    /// <summary>Publishes without an answer within the publish timeout (today: those a refusal left behind, see Publisher).</summary>
    [JsonPropertyName("publish_timeouts")] public long? PublishTimeouts { get; init; }
    [JsonPropertyName("recover_seconds")] public double? RecoverSeconds { get; init; }
    [JsonPropertyName("catchup_msgs_s")] public double? CatchupMsgsS { get; init; }
    [JsonPropertyName("peak_rss_mb")] public long? PeakRssMb { get; init; }
    [JsonPropertyName("peak_rss_publish_mb")] public long? PeakRssPublishMb { get; init; }
    [JsonPropertyName("peak_rss_recover_mb")] public long? PeakRssRecoverMb { get; init; }
    [JsonPropertyName("peak_rss_catchup_mb")] public long? PeakRssCatchupMb { get; init; }
    [JsonPropertyName("disk_mb")] public double? DiskMb { get; init; }
    [JsonPropertyName("peak_disk_mb")] public double? PeakDiskMb { get; init; }
    /// <summary>How long the store was watched after the drain until its size stopped shrinking (bounded).</summary>
    [JsonPropertyName("disk_wait_seconds")] public double? DiskWaitSeconds { get; init; }

    /// <summary>
    /// A throughput run: <paramref name="messages"/> published in <paramref name="publishSeconds"/>, and
    /// <paramref name="received"/> (all of them when null) through end to end in <paramref name="seconds"/>.
    /// </summary>
    public static BenchResult Throughput(string workload, string store, string topology, long messages, double publishSeconds,
        double seconds, long? received = null) => new()
    {
        Workload = workload,
        Store = store,
        Topology = topology,
        Messages = messages,
        Seconds = seconds,
        PublishPerSecond = messages / publishSeconds,
        EndToEndPerSecond = (received ?? messages) / seconds,
    };

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);
}
