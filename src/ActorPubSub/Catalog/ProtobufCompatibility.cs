using Google.Protobuf.Reflection;

namespace ActorPubSub.Catalog;

/// <summary>
/// The compatibility rules over Protocol Buffers message types, following the Confluent schema registry's Protobuf rules
/// (its <c>ProtobufSchema</c> differences), which hold the same in both directions: the message type must stay the same;
/// a field keeps its wire-compatible type (<c>int32</c>, <c>uint32</c>, <c>int64</c>, <c>uint64</c> and <c>bool</c> are one
/// group; <c>sint32</c>/<c>sint64</c>, <c>string</c>/<c>bytes</c>, <c>fixed32</c>/<c>sfixed32</c>, <c>fixed64</c>/<c>sfixed64</c>
/// the others), its kind (scalar, enum, message), its message or enum type, and whether it is repeated; a field that
/// keeps its number may be renamed; proto2 <c>required</c> fields may be neither added nor removed; a field may not
/// move into a oneof that already existed. One rule is stricter than Confluent's (which allows removing any field): a
/// field is removed only with its number reserved (<c>reserved 3;</c>), and no field may take a number the previous
/// version reserved — so a number is never reused with another meaning. Nested message types are compared field by
/// field, named by dotted path.
/// </summary>
public static class ProtobufCompatibility
{
    /// <summary>
    /// The problems of registering <paramref name="candidate"/> after <paramref name="registered"/> (oldest first) under
    /// <paramref name="mode"/>; empty when it is compatible. The rules are symmetric, so backward, forward and full check
    /// the same differences; the transitive forms check every version, the others the newest.
    /// </summary>
    public static IReadOnlyList<CompatibilityProblem> Check(CompatibilityMode mode, IReadOnlyList<MessageDescriptor> registered, MessageDescriptor candidate)
    {
        if (mode == CompatibilityMode.None || registered.Count == 0) return [];
        var transitive = mode is CompatibilityMode.BackwardTransitive or CompatibilityMode.ForwardTransitive or CompatibilityMode.FullTransitive;
        var problems = new List<CompatibilityProblem>();
        for (var i = registered.Count - 1; i >= (transitive ? 0 : registered.Count - 1); i--)
        {
            var why = $"{CatalogNames.Name(mode)}: against version {i + 1}";
            if (registered[i].FullName != candidate.FullName)
            {
                problems.Add(new("$", "message-type-changed",
                    $"the message type changed from {registered[i].FullName} to {candidate.FullName} ({why})"));
                continue;
            }
            Compare(registered[i], candidate, "", problems, why, []);
        }
        return problems;
    }

    private static void Compare(MessageDescriptor before, MessageDescriptor after, string path, List<CompatibilityProblem> problems, string why,
        HashSet<(string, string)> visited)
    {
        if (!visited.Add((before.FullName, path))) return;
        var reservedBefore = Reserved(before);
        var reservedAfter = Reserved(after);
        var oneofsBefore = before.Oneofs.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var old in before.Fields.InFieldNumberOrder())
        {
            var field = Join(path, old.Name);
            var now = after.FindFieldByNumber(old.FieldNumber);
            if (now is null)
            {
                var renumbered = after.FindFieldByName(old.Name);
                if (renumbered is not null)
                    problems.Add(new(field, "field-number-changed",
                        $"field '{field}' changed its number from {old.FieldNumber} to {renumbered.FieldNumber}: readers take its values for another field ({why})"));
                else if (old.IsRequired)
                    problems.Add(new(field, "required-field-removed", $"required field '{field}' = {old.FieldNumber} was removed: readers of the old type miss it ({why})"));
                else if (!reservedAfter.Contains(old.FieldNumber))
                    problems.Add(new(field, "field-removed-unreserved",
                        $"field '{field}' = {old.FieldNumber} was removed without reserving its number (add 'reserved {old.FieldNumber};') ({why})"));
                continue;
            }
            if (now.IsRepeated != old.IsRepeated)
            {
                problems.Add(new(field, "field-label-changed",
                    $"field '{field}' = {old.FieldNumber} changed from {(old.IsRepeated ? "repeated" : "singular")} to {(now.IsRepeated ? "repeated" : "singular")} ({why})"));
                continue;
            }
            if (Kind(old.FieldType) != Kind(now.FieldType))
            {
                problems.Add(new(field, "field-kind-changed",
                    $"field '{field}' = {old.FieldNumber} changed from {Describe(old)} to {Describe(now)} ({why})"));
                continue;
            }
            switch (Kind(old.FieldType))
            {
                case "message" when old.MessageType.FullName != now.MessageType.FullName:
                case "enum" when old.EnumType.FullName != now.EnumType.FullName:
                    problems.Add(new(field, "field-named-type-changed",
                        $"field '{field}' = {old.FieldNumber} changed type from {Describe(old)} to {Describe(now)} ({why})"));
                    continue;
                case "message":
                    Compare(old.MessageType, now.MessageType, field, problems, why, visited);
                    break;
                case "scalar" when ScalarGroup(old.FieldType) != ScalarGroup(now.FieldType):
                    problems.Add(new(field, "field-type-changed",
                        $"field '{field}' = {old.FieldNumber} changed type from {Describe(old)} to {Describe(now)}, which is read differently on the wire ({why})"));
                    continue;
            }
            if (old.IsRequired != now.IsRequired)
                problems.Add(new(field, old.IsRequired ? "required-field-removed" : "field-made-required",
                    $"field '{field}' = {old.FieldNumber} {(old.IsRequired ? "is no longer required" : "became required")} ({why})"));
            if (now.RealContainingOneof is { } oneof && old.RealContainingOneof is null && oneofsBefore.Contains(oneof.Name))
                problems.Add(new(field, "field-moved-to-existing-oneof",
                    $"field '{field}' = {old.FieldNumber} moved into the existing oneof '{oneof.Name}': setting it now clears the others ({why})"));
        }
        foreach (var added in after.Fields.InFieldNumberOrder())
        {
            if (before.FindFieldByNumber(added.FieldNumber) is not null) continue;
            var field = Join(path, added.Name);
            if (reservedBefore.Contains(added.FieldNumber))
                problems.Add(new(field, "reserved-number-used",
                    $"field '{field}' takes number {added.FieldNumber}, which the old type reserved ({why})"));
            else if (added.IsRequired)
                problems.Add(new(field, "required-field-added",
                    $"required field '{field}' = {added.FieldNumber} was added: messages of the old type lack it ({why})"));
        }
    }

    /// <summary>The field numbers a message type reserves.</summary>
    private static HashSet<int> Reserved(MessageDescriptor type)
    {
        var numbers = new HashSet<int>();
        foreach (var range in type.ToProto().ReservedRange)
            for (var n = range.Start; n < range.End && numbers.Count < 100_000; n++) numbers.Add(n);   // End is exclusive
        return numbers;
    }

    private static string Kind(FieldType type) => type switch
    {
        FieldType.Message or FieldType.Group => "message",
        FieldType.Enum => "enum",
        _ => "scalar",
    };

    /// <summary>Scalar types one reader reads the other's values as (Confluent's groups).</summary>
    private static int ScalarGroup(FieldType type) => type switch
    {
        FieldType.Int32 or FieldType.UInt32 or FieldType.Int64 or FieldType.UInt64 or FieldType.Bool => 1,
        FieldType.SInt32 or FieldType.SInt64 => 2,
        FieldType.String or FieldType.Bytes => 3,
        FieldType.Fixed32 or FieldType.SFixed32 => 4,
        FieldType.Fixed64 or FieldType.SFixed64 => 5,
        FieldType.Float => 6,
        FieldType.Double => 7,
        _ => 8,
    };

    private static string Describe(FieldDescriptor field) => field.FieldType switch
    {
        FieldType.Message or FieldType.Group => field.MessageType.FullName,
        FieldType.Enum => field.EnumType.FullName,
        _ => ProtobufWire.Name(field.FieldType),
    };

    private static string Join(string path, string name) => path.Length == 0 ? name : path + "." + name;
}
