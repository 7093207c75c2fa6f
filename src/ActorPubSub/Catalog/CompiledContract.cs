using System.Text.Json;
using Json.Schema;

namespace ActorPubSub.Catalog;

/// <summary>
/// A topic's contract as a node's cache holds it for publishing: the validation mode, the current version and its schema
/// compiled once (at the change, not per publish).
/// </summary>
public sealed class CompiledContract
{
    private long _lastWarningTicks;

    private CompiledContract(TopicContract contract, JsonSchema? schema, Google.Protobuf.Reflection.MessageDescriptor? message)
    {
        Contract = contract;
        Schema = schema;
        Message = message;
        Version = contract.Current?.Version ?? 0;
        VersionText = Version.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    public TopicContract Contract { get; }
    public ValidationMode Validation => Contract.Validation;
    /// <summary>The current schema version (0: none).</summary>
    public int Version { get; }
    /// <summary><see cref="Version"/> as the header value publishes carry.</summary>
    public string VersionText { get; }
    private JsonSchema? Schema { get; }
    /// <summary>The current version's message type when it is a Protobuf contract (and validation is on).</summary>
    internal Google.Protobuf.Reflection.MessageDescriptor? Message { get; }

    /// <summary>Compiles <paramref name="contract"/>'s current schema (none when validation is off or it has none).</summary>
    public static CompiledContract Of(TopicContract contract)
    {
        if (contract.Validation == ValidationMode.Off || contract.Current is not { } current) return new(contract, null, null);
        return current.Format == SchemaFormat.Protobuf
            ? new(contract, null, ProtobufSchema.Load(current.Schema, current.MessageType))
            : new(contract, SchemaDocument.Compile(current.Schema), null);
    }

    /// <summary>
    /// Null when <paramref name="message"/> passes the current schema; otherwise the first failing path and why.
    /// <c>string</c> and <c>byte[]</c> are read as UTF-8 JSON text, anything else through its System.Text.Json form (<see cref="PayloadJson"/>);
    /// against a Protobuf contract, <c>byte[]</c> and Google.Protobuf messages as wire format (<see cref="ProtobufWire"/>).
    /// </summary>
    public string? Check(object message)
    {
        if (Message is not null) return ProtobufWire.Check(Message, message);
        if (Schema is null) return null;
        JsonElement instance;
        try
        {
            instance = message switch
            {
                string text => Parse(System.Text.Encoding.UTF8.GetBytes(text)),
                byte[] bytes => Parse(bytes),
                ReadOnlyMemory<byte> memory => Parse(memory.ToArray()),
                JsonElement element => element,
                JsonDocument document => document.RootElement,
                _ => PayloadJson.Of(message),
            };
        }
        catch (JsonException e)
        {
            return $"/: the payload is not JSON ({e.Message})";
        }
        catch (NotSupportedException e)
        {
            return $"/: the payload has no System.Text.Json form ({e.Message})";
        }
        return SchemaDocument.FirstFailure(Schema, instance);
    }

    private static JsonElement Parse(byte[] utf8)
    {
        using var document = JsonDocument.Parse(utf8);
        return document.RootElement.Clone();
    }

    /// <summary>True at most once per <paramref name="interval"/> (the warn mode's rate-limited log line).</summary>
    public bool ShouldWarn(TimeSpan interval)
    {
        var now = DateTime.UtcNow.Ticks;
        var last = Interlocked.Read(ref _lastWarningTicks);
        return now - last >= interval.Ticks && Interlocked.CompareExchange(ref _lastWarningTicks, now, last) == last;
    }
}
