namespace ActorPubSub;

/// <summary>What a registered schema version is written in.</summary>
public enum SchemaFormat
{
    /// <summary>A JSON Schema document (text); payloads are checked as JSON.</summary>
    Json = 0,

    /// <summary>
    /// A Protocol Buffers <c>FileDescriptorSet</c> (base64 of its bytes, e.g. <c>protoc --descriptor_set_out --include_imports</c>)
    /// and the full name of the message type payloads are; payloads are checked as that message's wire format.
    /// </summary>
    Protobuf = 1,
}
