using ActorPubSub.Catalog;

namespace ActorPubSub.Tests.Catalog;

/// <summary>
/// The compatibility rules, one row per (change, mode): adding an optional or a required field, removing an optional or
/// a required field, changing a type and renaming a required field, each from the same first version.
/// </summary>
[Trait("Category", "Unit")]
public sealed class SchemaCompatibilitySpec
{
    private const string V1 = """{"type":"object","properties":{"id":{"type":"integer"},"name":{"type":"string"}},"required":["id"]}""";

    private static readonly Dictionary<string, string> Changes = new()
    {
        ["add optional field"] = """{"type":"object","properties":{"id":{"type":"integer"},"name":{"type":"string"},"email":{"type":"string"}},"required":["id"]}""",
        ["add required field"] = """{"type":"object","properties":{"id":{"type":"integer"},"name":{"type":"string"},"email":{"type":"string"}},"required":["id","email"]}""",
        ["remove optional field"] = """{"type":"object","properties":{"id":{"type":"integer"}},"required":["id"]}""",
        ["remove required field"] = """{"type":"object","properties":{"name":{"type":"string"}}}""",
        ["change type"] = """{"type":"object","properties":{"id":{"type":"integer"},"name":{"type":"integer"}},"required":["id"]}""",
        ["rename required field"] = """{"type":"object","properties":{"key":{"type":"integer"},"name":{"type":"string"}},"required":["key"]}""",
        ["close the content model"] = """{"type":"object","properties":{"id":{"type":"integer"},"name":{"type":"string"}},"required":["id"],"additionalProperties":false}""",
    };

    // null = compatible; otherwise the rule of the first problem and the field it names
    public static TheoryData<string, CompatibilityMode, string?, string?> Table => new()
    {
        { "add optional field", CompatibilityMode.Backward, null, null },
        { "add optional field", CompatibilityMode.Forward, null, null },
        { "add optional field", CompatibilityMode.Full, null, null },
        { "add required field", CompatibilityMode.Backward, "required-field-added", "email" },
        { "add required field", CompatibilityMode.Forward, null, null },
        { "add required field", CompatibilityMode.Full, "required-field-added", "email" },
        { "add required field", CompatibilityMode.None, null, null },
        { "remove optional field", CompatibilityMode.Backward, null, null },
        { "remove optional field", CompatibilityMode.Forward, null, null },
        { "remove optional field", CompatibilityMode.Full, null, null },
        { "remove required field", CompatibilityMode.Backward, null, null },
        { "remove required field", CompatibilityMode.Forward, "required-field-added", "id" },
        { "remove required field", CompatibilityMode.Full, "required-field-added", "id" },
        { "change type", CompatibilityMode.Backward, "type-changed", "name" },
        { "change type", CompatibilityMode.Forward, "type-changed", "name" },
        { "change type", CompatibilityMode.Full, "type-changed", "name" },
        { "change type", CompatibilityMode.None, null, null },
        { "rename required field", CompatibilityMode.Backward, "required-field-added", "key" },
        { "rename required field", CompatibilityMode.Forward, "required-field-added", "id" },
        { "rename required field", CompatibilityMode.Full, "required-field-added", "key" },
        { "close the content model", CompatibilityMode.Backward, "content-model-closed", "$" },
        { "close the content model", CompatibilityMode.Forward, null, null },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void Check_must_follow_the_rules_of_each_mode(string change, CompatibilityMode mode, string? rule, string? field)
    {
        var problems = SchemaCompatibility.Check(mode, [SchemaDocument.Parse(V1)], SchemaDocument.Parse(Changes[change]));

        if (rule is null) Assert.Empty(problems);
        else
        {
            Assert.NotEmpty(problems);
            Assert.Equal(rule, problems[0].Rule);
            Assert.Equal(field, problems[0].Field);
            Assert.Contains($"'{field}'", problems[0].Reason);
        }
    }

    [Fact]
    public void Transitive_modes_must_check_every_version_and_plain_modes_only_the_newest()
    {
        // v2 drops the required id (backward-compatible with v1); v3 brings it back as a string: fine against v2, a type
        // change against v1
        var v2 = """{"type":"object","properties":{"name":{"type":"string"}}}""";
        var v3 = """{"type":"object","properties":{"name":{"type":"string"},"id":{"type":"string"}}}""";
        var registered = new[] { SchemaDocument.Parse(V1), SchemaDocument.Parse(v2) };

        Assert.Empty(SchemaCompatibility.Check(CompatibilityMode.Backward, registered, SchemaDocument.Parse(v3)));
        var transitive = SchemaCompatibility.Check(CompatibilityMode.BackwardTransitive, registered, SchemaDocument.Parse(v3));
        var problem = Assert.Single(transitive);
        Assert.Equal(("id", "type-changed"), (problem.Field, problem.Rule));
        Assert.Contains("version 1", problem.Reason);
    }

    [Fact]
    public void Nested_fields_must_be_named_by_their_path()
    {
        var before = """{"type":"object","properties":{"address":{"type":"object","properties":{"city":{"type":"string"}}}}}""";
        var after = """{"type":"object","properties":{"address":{"type":"object","properties":{"city":{"type":"number"}}}}}""";

        var problem = SchemaCompatibility.Check(CompatibilityMode.Backward, [SchemaDocument.Parse(before)], SchemaDocument.Parse(after))[0];

        Assert.Equal("address.city", problem.Field);
    }

    [Theory]
    [InlineData("backward_transitive", CompatibilityMode.BackwardTransitive)]
    [InlineData("FULL-TRANSITIVE", CompatibilityMode.FullTransitive)]
    [InlineData("none", CompatibilityMode.None)]
    public void Mode_names_must_read_as_Confluent_spells_them(string text, CompatibilityMode mode)
    {
        Assert.Equal(mode, CatalogNames.ParseCompatibility(text, out _));
        Assert.Null(CatalogNames.ParseCompatibility("sideways", out var error));
        Assert.Contains("backward_transitive", error);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("[1,2]", "JSON object")]
    [InlineData("{\"type\":", "not JSON")]
    [InlineData("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"strin\"}}}", "not a valid JSON Schema")]
    public void Documents_must_be_refused_saying_what_is_wrong(string text, string expected)
    {
        Assert.Contains(expected, SchemaDocument.Validate(text));
    }

    [Fact]
    public void Validation_must_name_the_first_failing_path()
    {
        var schema = SchemaDocument.Compile(V1);
        var contract = CompiledContract.Of(TopicContract.Empty("t") with
        {
            Validation = ValidationMode.Enforce,
            Versions = [new SchemaVersion(1, 1, V1, DateTime.UtcNow)],
        });

        Assert.Null(contract.Check("""{"id":1,"name":"a"}"""));
        Assert.StartsWith("/name:", contract.Check("""{"id":1,"name":5}"""));
        Assert.StartsWith("/:", contract.Check(System.Text.Encoding.UTF8.GetBytes("""{"name":"a"}""")));
        Assert.StartsWith("/:", contract.Check("not json"));
        Assert.Null(contract.Check(new Typed(7, "x")));
        Assert.NotNull(schema);
    }

    private sealed record Typed(int id, string name);
}
