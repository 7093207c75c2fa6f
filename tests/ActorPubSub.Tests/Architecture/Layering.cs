using System.Collections.Immutable;
using System.Text.RegularExpressions;

namespace ActorPubSub.Tests.Architecture;

/// <summary>
/// The dependency direction of the folders of src/ActorPubSub (docs/layout.md): which folders each folder may use,
/// and a checker that reads a source file's <c>using ActorPubSub.*</c> lines and fully qualified
/// <c>ActorPubSub.X.</c> references and names every one that points the wrong way.
/// </summary>
public static partial class Layering
{
    // Memory (the node's memory budget) is a leaf on Settings that topics and dead-letter stores share; Journal (the topics'
    // journal plugin and reading a persistence id's journal back) is a leaf on Akka.Persistence.Sql and the drivers alone
    // Fencing (a topic's claim of its database, member leases) is a leaf on Settings that topics ask at their start
    // Remoting (the transport of our own) is a leaf on Akka.Remote whose Outbound the engine's actors tell the topic
    // protocol through, so that it is written straight into the connection (DirectSend)
    private static readonly ImmutableHashSet<string> Base = ["Messages", "Settings", "Memory", "Journal", "Fencing", "Remoting"];
    private static readonly ImmutableHashSet<string> Engine = Base.Union(["Filters", "Observability", "Topics"]);
    private static readonly ImmutableHashSet<string> Client = Engine.Union(["DeadLetters", "Consumers", "Gateway", "Catalog", "Client"]);

    /// <summary>
    /// The library's root folder (namespace <c>ActorPubSub</c>): the public contract, what a caller of <c>IPubSub</c> names
    /// (the interface, its options, receipts, answers and exceptions). Every folder sees it without a using (it encloses
    /// their namespaces), so it sits below them all and may use only the wire markers of <c>Messages</c>.
    /// </summary>
    public const string Root = "(root)";

    /// <summary>Folder → the folders it may use (its own folder is always allowed). Folders not listed may use nothing.</summary>
    public static readonly ImmutableDictionary<string, ImmutableHashSet<string>> Allowed =
        new Dictionary<string, ImmutableHashSet<string>>
        {
            [Root] = ["Messages"],
            ["Messages"] = [],
            ["Settings"] = [],
            ["Journal"] = [],
            ["Memory"] = ["Settings"],
            ["Fencing"] = ["Settings"],
            ["Filters"] = [],
            ["Observability"] = ["Messages"],
            ["Topics"] = Base.Union(["Filters", "Observability"]),
            ["DeadLetters"] = Engine,
            ["Consumers"] = Engine,
            // the brokers' entry for clients outside the cluster (and the contact points that lead a client to it); it
            // forwards catalogue requests too
            ["Gateway"] = Engine.Add("Catalog"),
            // the topic catalogue (owners, schema versions, compatibility) and each node's cache of its contracts
            ["Catalog"] = Engine,
            ["Client"] = Client,
            // Akka.Remote's transport of our own: a leaf on Akka.Remote that Hosting names in the configuration it renders;
            // its direct dispatch finds the topic protocol's serializer by the protocol's wire marker
            ["Remoting"] = ["Messages"],
            ["Hosting"] = Client.Add("Remoting"),
            // Serialization sees the message types of every layer; nothing depends on it (it is bound in reference.conf)
            // (and implements the transport's IDirectDispatchSerializer for the topic protocol)
            ["Serialization"] = Client.Add("Remoting"),
        }.ToImmutableDictionary();

    /// <summary>One reference that the direction forbids.</summary>
    public sealed record Violation(string File, int Line, string Folder, string Dependency)
    {
        public override string ToString() => $"{File}:{Line}: {Folder}/ must not depend on {Dependency}/";
    }

    // `using ActorPubSub.X;`, `using static ActorPubSub.X.Y;`, `using A = ActorPubSub.X.Y;`
    [GeneratedRegex(@"^\s*(?:global\s+)?using\s+(?:static\s+)?(?:\w+\s*=\s*)?(?:global::)?ActorPubSub\.(?<folder>\w+)")]
    private static partial Regex UsingDirective();

    // `ActorPubSub.X.Something` anywhere in code (a fully qualified name, `global::` or not)
    [GeneratedRegex(@"(?<![\w.])(?:global::)?ActorPubSub\.(?<folder>\w+)\.\w")]
    private static partial Regex QualifiedName();

    [GeneratedRegex(@"^\s*namespace\s")]
    private static partial Regex NamespaceDeclaration();

    // string literals and comments are no dependency: blank them out before looking for names
    [GeneratedRegex(@"@""(?:[^""]|"""")*""|""(?:[^""\\\n]|\\.)*""|//.*$")]
    private static partial Regex StringsAndComments();

    /// <summary>
    /// The forbidden references in one file of <paramref name="folder"/>. <paramref name="file"/> only names the file in
    /// the result. Doc-comment <c>cref</c>s are read too: they compile against the type they name.
    /// </summary>
    public static IReadOnlyList<Violation> Check(string folder, string file, string content)
    {
        var allowed = Allowed.TryGetValue(folder, out var a) ? a : [];
        var found = new List<Violation>();
        var lines = content.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (NamespaceDeclaration().IsMatch(line)) continue;
            var crefs = Regex.Matches(line, @"cref=""(?<name>[^""]*)""").Select(m => m.Groups["name"].Value);
            var code = StringsAndComments().Replace(line, "");
            var folders = UsingDirective().Matches(code).Concat(QualifiedName().Matches(code))
                .Concat(crefs.SelectMany(c => QualifiedName().Matches(c + ".x")))
                .Select(m => m.Groups["folder"].Value)
                .Distinct();
            foreach (var dependency in folders)
                if (dependency != folder && !allowed.Contains(dependency))
                    found.Add(new Violation(file, i + 1, folder, dependency));
        }
        return found;
    }

    /// <summary>The directory holding ActorPubSub.sln, found upwards from <paramref name="start"/>.</summary>
    public static DirectoryInfo RepositoryRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ActorPubSub.sln"))) return dir;
        throw new InvalidOperationException($"No ActorPubSub.sln above {start}");
    }
}
