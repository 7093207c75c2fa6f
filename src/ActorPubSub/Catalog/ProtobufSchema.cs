using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace ActorPubSub.Catalog;

/// <summary>
/// A Protocol Buffers contract: a serialized <c>FileDescriptorSet</c> (stored as base64 text, the way every schema is
/// stored) and the full name of its message type, read into the message's <see cref="MessageDescriptor"/>.
/// </summary>
public static class ProtobufSchema
{
    /// <summary>The largest descriptor set taken (bytes; its base64 text is a third larger).</summary>
    public const int MaxBytes = 192 * 1024;

    /// <summary>Null when <paramref name="base64"/> and <paramref name="messageType"/> make a contract; otherwise what is wrong and what is allowed.</summary>
    public static string? Validate(string? base64, string? messageType)
    {
        try
        {
            Load(base64, messageType);
            return null;
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }
    }

    /// <summary>The message type's descriptor.</summary>
    /// <exception cref="ArgumentException">What is wrong with the set or the name, and what is allowed.</exception>
    public static MessageDescriptor Load(string? base64, string? messageType)
    {
        if (string.IsNullOrWhiteSpace(messageType))
            throw new ArgumentException("A Protobuf contract needs the full name of its message type (package.Message), e.g. shop.v1.Order.");
        if (string.IsNullOrWhiteSpace(base64))
            throw new ArgumentException("The descriptor set is empty; give a serialized FileDescriptorSet (protoc --descriptor_set_out=F --include_imports), base64-encoded.");
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            throw new ArgumentException("The descriptor set is not base64; give the bytes of a FileDescriptorSet in base64 (pbm does this for --proto-descriptor-set).");
        }
        if (bytes.Length > MaxBytes) throw new ArgumentException($"The descriptor set is {bytes.Length} bytes; at most {MaxBytes} are taken.");
        FileDescriptorSet set;
        try
        {
            set = FileDescriptorSet.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new ArgumentException($"The bytes are no FileDescriptorSet ({e.Message}); give protoc's --descriptor_set_out output.");
        }
        if (set.File.Count == 0) throw new ArgumentException("The descriptor set holds no file; give protoc's --descriptor_set_out output.");
        IReadOnlyList<FileDescriptor> files;
        try
        {
            files = FileDescriptor.BuildFromByteStrings(DependenciesFirst(set).Select(f => f.ToByteString()));
        }
        catch (Exception e) when (e is DescriptorValidationException or ArgumentException or InvalidOperationException or KeyNotFoundException)
        {
            throw new ArgumentException($"The descriptor set does not build: {e.Message} (give every imported file: protoc --include_imports).");
        }
        var name = messageType.Trim().TrimStart('.');
        return files.SelectMany(f => All(f.MessageTypes)).FirstOrDefault(m => m.FullName == name)
               ?? throw new ArgumentException(
                   $"The descriptor set has no message type '{name}'; it has {string.Join(", ", files.SelectMany(f => All(f.MessageTypes)).Select(m => m.FullName).Take(20))}.");
    }

    /// <summary>The descriptor set of a generated message type (its file and every file it imports), base64: what <see cref="Load"/> reads.</summary>
    public static string DescriptorSetOf(MessageDescriptor message)
    {
        var set = new FileDescriptorSet();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Add(FileDescriptor file)
        {
            if (!seen.Add(file.Name)) return;
            foreach (var dependency in file.Dependencies) Add(dependency);
            set.File.Add(FileDescriptorProto.Parser.ParseFrom(file.SerializedData));
        }
        Add(message.File);
        return Convert.ToBase64String(set.ToByteArray());
    }

    /// <summary>Every message type, nested ones too.</summary>
    internal static IEnumerable<MessageDescriptor> All(IEnumerable<MessageDescriptor> types) =>
        types.SelectMany(t => All(t.NestedTypes).Prepend(t));

    /// <summary>The files with every file before those importing it (protoc writes them so; a hand-made set may not).</summary>
    private static List<FileDescriptorProto> DependenciesFirst(FileDescriptorSet set)
    {
        var byName = new Dictionary<string, FileDescriptorProto>(StringComparer.Ordinal);
        foreach (var file in set.File)
            if (!byName.TryAdd(file.Name, file)) throw new ArgumentException($"The descriptor set holds file '{file.Name}' twice.");
        var ordered = new List<FileDescriptorProto>();
        var state = new Dictionary<string, bool>(StringComparer.Ordinal);   // false: being visited, true: done
        void Visit(FileDescriptorProto file)
        {
            if (state.TryGetValue(file.Name, out var done))
            {
                if (!done) throw new ArgumentException($"The descriptor set's imports form a cycle through '{file.Name}'.");
                return;
            }
            state[file.Name] = false;
            foreach (var dependency in file.Dependency)
                if (byName.TryGetValue(dependency, out var imported)) Visit(imported);
                else throw new ArgumentException($"File '{file.Name}' imports '{dependency}', which the descriptor set does not hold (protoc --include_imports adds it).");
            state[file.Name] = true;
            ordered.Add(file);
        }
        foreach (var file in set.File) Visit(file);
        return ordered;
    }
}
