using System.Text.RegularExpressions;

namespace ActorPubSub.Tests.Packaging;

/// <summary>
/// The packages as a new user gets them: the README's C# examples compile, verbatim, in new console projects that
/// reference only the packed <c>ActorPubSub</c> package (from a local feed, its dependencies from the configured
/// registry), with warnings as errors, so neither the README nor the package's dependencies can drift into something
/// a consumer cannot build. The packages carry their metadata, the README and SourceLink's repository commit, and pbm
/// installs as a .NET tool.
/// </summary>
[Trait("Category", "Integration")]
public sealed partial class ReadmeSnippetsSpec(PackedPackages packages) : IClassFixture<PackedPackages>
{
    [Fact]
    public void Readme_examples_should_compile_against_the_package_alone_with_warnings_as_errors()
    {
        // arrange: one console project per ```csharp block, all built by one `dotnet build` of a solution
        var snippets = CSharpBlocks(File.ReadAllText(Path.Combine(ServiceProcess.RepositoryRoot, "README.md")));
        Assert.True(snippets.Count >= 2, $"README.md has {snippets.Count} C# examples; the embedding and the client example were expected");
        var projects = Path.Combine(packages.Root, "readme");
        File.WriteAllText(Path.Combine(packages.Root, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="actorpubsub-packed" value="{packages.Feed}" />
              </packageSources>
            </configuration>
            """);
        var solution = new List<string>();
        for (var i = 0; i < snippets.Count; i++)
        {
            var folder = Path.Combine(projects, $"example{i + 1}");
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, "Program.cs"), snippets[i]);
            File.WriteAllText(Path.Combine(folder, $"example{i + 1}.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <ImplicitUsings>enable</ImplicitUsings>
                    <Nullable>enable</Nullable>
                    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="ActorPubSub" Version="{packages.Version}" />
                  </ItemGroup>
                </Project>
                """);
            solution.Add($"""  <Project Path="example{i + 1}/example{i + 1}.csproj" />""");
        }
        File.WriteAllText(Path.Combine(projects, "readme.slnx"), $"<Solution>\n{string.Join('\n', solution)}\n</Solution>\n");

        // act
        var output = PackedPackages.Dotnet(projects, "build", "readme.slnx", "-nologo", "-clp:NoSummary");

        // assert: built (no error) and quiet (no warning of any kind reached the consumer)
        var warnings = output.Split('\n').Where(l => l.Contains(": warning ", StringComparison.Ordinal)).ToList();
        Assert.True(warnings.Count == 0, $"building the README's examples against the package warned:\n{string.Join('\n', warnings)}");
        for (var i = 0; i < snippets.Count; i++)
            Assert.True(File.Exists(Path.Combine(projects, $"example{i + 1}", "bin", "Debug", "net10.0", $"example{i + 1}.dll")),
                $"example {i + 1} was not built:\n{output}");
    }

    [Fact]
    public void Library_package_should_carry_metadata_readme_repository_and_pinned_dependencies()
    {
        // act
        var nuspec = packages.ReadEntry("ActorPubSub", "ActorPubSub.nuspec");

        // assert
        Assert.Contains("<license type=\"expression\">", nuspec, StringComparison.Ordinal);
        Assert.Contains("<readme>README.md</readme>", nuspec, StringComparison.Ordinal);
        Assert.Matches("<repository type=\"git\" url=\"https://[^\"]+\"[^>]* commit=\"[0-9a-f]{40}\"", nuspec);
        Assert.Contains("<authors>", nuspec, StringComparison.Ordinal);
        Assert.Contains("<tags>", nuspec, StringComparison.Ordinal);
        Assert.Contains("<description>", nuspec, StringComparison.Ordinal);
        // LightningDB is pinned as a dependency of ours: a consumer resolves the served version exactly (no NU1603).
        Assert.Matches("<dependency id=\"LightningDB\" version=\"[0-9.]+\"", nuspec);
        Assert.Contains("README.md", packages.Entries("ActorPubSub"));
        Assert.Contains("lib/net10.0/ActorPubSub.dll", packages.Entries("ActorPubSub"));
    }

    [Fact]
    public void Cli_package_should_be_a_dotnet_tool_named_pbm()
    {
        // act
        var entries = packages.Entries("ActorPubSub.Cli");
        var settings = packages.ReadEntry("ActorPubSub.Cli", entries.Single(e => e.EndsWith("DotnetToolSettings.xml", StringComparison.Ordinal)));
        var nuspec = packages.ReadEntry("ActorPubSub.Cli", "ActorPubSub.Cli.nuspec");

        // assert
        Assert.Contains("<Command Name=\"pbm\" EntryPoint=\"pbm.dll\"", settings, StringComparison.Ordinal);
        Assert.Contains("<packageType name=\"DotnetTool\" />", nuspec, StringComparison.Ordinal);
        Assert.Contains("<readme>README.md</readme>", nuspec, StringComparison.Ordinal);
    }

    [Fact]
    public void Cli_package_should_install_as_a_tool_and_run_as_pbm()
    {
        // arrange
        var tools = Path.Combine(packages.Root, "tools");

        // act
        PackedPackages.Dotnet(packages.Root, "tool", "install", "--tool-path", tools, "--add-source", packages.Feed,
            "--version", packages.Version, "ActorPubSub.Cli");
        var version = Command.Run([Path.Combine(tools, "pbm"), "--version"]);

        // assert
        Assert.Equal($"pbm {typeof(ActorPubSub.Cli.Pbm).Assembly.GetName().Version!.ToString(3)}", version.Trim());
    }

    /// <summary>The contents of every <c>```csharp</c> fenced block.</summary>
    internal static IReadOnlyList<string> CSharpBlocks(string markdown) =>
        [.. CSharpBlock().Matches(markdown.ReplaceLineEndings("\n")).Select(m => m.Groups["code"].Value)];

    [GeneratedRegex(@"^[ \t]*```csharp[ \t]*\n(?<code>.*?)^[ \t]*```[ \t]*$", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();
}
