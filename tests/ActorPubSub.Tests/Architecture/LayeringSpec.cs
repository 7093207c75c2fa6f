namespace ActorPubSub.Tests.Architecture;

/// <summary>
/// The folders of src/ActorPubSub depend on each other in one direction (docs/layout.md):
/// Messages ← Observability ← Topics (and the leaves Filters ← Topics, Settings ← Memory ← Topics) ← DeadLetters, Consumers ← Client
/// ← Hosting; Serialization sees the message types and nothing depends on it.
/// </summary>
[Trait("Category", "Unit")]
public sealed class LayeringSpec
{
    private static readonly DirectoryInfo Library =
        new(Path.Combine(Layering.RepositoryRoot(AppContext.BaseDirectory).FullName, "src", "ActorPubSub"));

    [Fact]
    public void Library_folders_should_depend_only_on_the_folders_below_them()
    {
        // arrange
        var files = Library.GetDirectories()
            .Where(d => d.Name is not ("bin" or "obj"))
            .SelectMany(d => d.GetFiles("*.cs", SearchOption.AllDirectories).Select(f => (Folder: d.Name, File: f)))
            .Concat(Library.GetFiles("*.cs").Select(f => (Folder: Layering.Root, File: f)))
            .ToList();

        // act
        var violations = files
            .SelectMany(f => Layering.Check(f.Folder, Path.GetRelativePath(Library.FullName, f.File.FullName),
                File.ReadAllText(f.File.FullName)))
            .ToList();

        // assert
        Assert.True(files.Count > 50, $"expected the library's sources under {Library.FullName}, found {files.Count} files");
        Assert.True(violations.Count == 0,
            "Dependencies against the layering of docs/layout.md:\n" + string.Join("\n", violations));
    }

    [Fact]
    public void Every_library_folder_should_have_a_rule()
    {
        var folders = Library.GetDirectories().Select(d => d.Name).Where(n => n is not ("bin" or "obj"));

        var missing = folders.Where(f => !Layering.Allowed.ContainsKey(f)).ToList();

        Assert.True(missing.Count == 0, "Folders without a rule in Layering.Allowed: " + string.Join(", ", missing));
    }

    [Fact]
    public void Checker_should_name_the_file_and_a_forbidden_using()
    {
        const string content = """
            using Akka.Actor;
            using ActorPubSub.Messages;
            using ActorPubSub.Client;

            namespace ActorPubSub.Topics;
            """;

        var violations = Layering.Check("Topics", "Topics/Bad.cs", content);

        var v = Assert.Single(violations);
        Assert.Equal(new Layering.Violation("Topics/Bad.cs", 3, "Topics", "Client"), v);
        Assert.Equal("Topics/Bad.cs:3: Topics/ must not depend on Client/", v.ToString());
    }

    [Fact]
    public void Checker_should_find_qualified_names_static_and_alias_usings_and_crefs()
    {
        const string content = """
            using static ActorPubSub.Hosting.PubSubConfig;
            using Ser = ActorPubSub.Serialization.PubSubSerializer;
            namespace ActorPubSub.Filters;
            /// <see cref="ActorPubSub.DeadLetters.DeadLetterActor"/>
            internal sealed class Bad { private ActorPubSub.Consumers.SubscriberActor? _x; private global::ActorPubSub.Topics.TopicActor? _y; }
            """;

        var found = Layering.Check("Filters", "Filters/Bad.cs", content).Select(v => (v.Line, v.Dependency));

        Assert.Equal([(1, "Hosting"), (2, "Serialization"), (4, "DeadLetters"), (5, "Consumers"), (5, "Topics")], found);
    }

    [Fact]
    public void Checker_should_ignore_allowed_references_own_folder_strings_and_comments()
    {
        const string content = """
            using ActorPubSub.Messages;
            using ActorPubSub.Topics.Subscriptions;
            namespace ActorPubSub.Topics;
            // a comment may name ActorPubSub.Client.PubSubClient
            internal sealed class Fine { private const string Category = "ActorPubSub.Hosting.PubSubConfig"; }
            """;

        Assert.Empty(Layering.Check("Topics", "Topics/Fine.cs", content));
    }

    [Fact]
    public void Memory_should_depend_on_settings_only_and_be_usable_by_topics_and_dead_letters()
    {
        Assert.Equal(["Settings"], Layering.Allowed["Memory"]);
        Assert.Contains("Memory", Layering.Allowed["Topics"]);
        Assert.Contains("Memory", Layering.Allowed["DeadLetters"]);
        Assert.Single(Layering.Check("Memory", "Memory/Bad.cs", "using ActorPubSub.Topics;\nnamespace ActorPubSub.Memory;"));
    }

    [Fact]
    public void Serialization_should_be_used_by_no_folder()
    {
        Assert.DoesNotContain(Layering.Allowed, rule => rule.Value.Contains("Serialization"));
        Assert.DoesNotContain("Hosting", Layering.Allowed["Serialization"]);
    }

    [Fact]
    public void Public_contract_at_the_root_should_use_only_the_message_markers()
    {
        Assert.Equal(["Messages"], Layering.Allowed[Layering.Root]);
        var v = Assert.Single(Layering.Check(Layering.Root, "Bad.cs", "using ActorPubSub.Messages;\nusing ActorPubSub.Topics;\nnamespace ActorPubSub;"));
        Assert.Equal("Bad.cs:2: (root)/ must not depend on Topics/", v.ToString());
    }
}
