using ActorPubSub.Lighthouse;
using ActorPubSub.Node;
using ActorPubSub.Server.Web;
using ActorPubSub.Tests.Deployment;
using YamlDotNet.RepresentationModel;

namespace ActorPubSub.Tests.Cli;

/// <summary>
/// pbm in the deployment: the images carry it on the PATH, every member's preStop hook runs
/// <c>pbm 127.0.0.1:&lt;http port&gt; cluster leave</c>, and since the web servers listen on the pod address (admin then
/// needs a token) each member gets its admin token from a Secret, in the variable pbm also reads inside the container.
/// </summary>
[Trait("Category", "Integration")]
public sealed class PbmDeploymentSpec(RenderedManifests manifests) : IClassFixture<RenderedManifests>
{
    [Theory]
    [InlineData("actorpubsub-node", "ACTORPUBSUB_Node__HttpAddress", "ACTORPUBSUB_Node__AdminToken")]
    [InlineData("actorpubsub-lighthouse", "ACTORPUBSUB_Lighthouse__HttpAddress", "ACTORPUBSUB_Lighthouse__AdminToken")]
    public void Members_should_leave_through_pbm_in_preStop_with_their_admin_token_from_a_secret(string image, string httpVariable, string tokenVariable)
    {
        // arrange
        var (_, container) = manifests.Containers().Single(c => c.Container.Str("image")!.Split('/')[^1].Split(':')[0] == image);
        var env = manifests.Environment(container);

        // act
        var preStop = string.Join(' ', container.Map("lifecycle").Map("preStop").Map("exec").Seq("command").Cast<YamlScalarNode>().Select(n => n.Value));
        var http = env[httpVariable].Value!;
        var token = env[tokenVariable].From?.MapOrNull("secretKeyRef") ?? throw new Xunit.Sdk.XunitException($"{tokenVariable} must come from a Secret.");
        var shipped = manifests.Find("Secret", token.Str("name")!) is not null;

        // assert
        Assert.True(HttpAddress.TryParse(http, out var address, out _));
        Assert.False(address.IsLoopback);   // so admin requires the token there
        Assert.Contains($"pbm 127.0.0.1:{address.Port} cluster leave", preStop, StringComparison.Ordinal);
        Assert.Contains(tokenVariable, ActorPubSub.Cli.Invocation.TokenVariables);
        // the base ships no token: k8s/certs/make-certs.sh makes the Secret (KubernetesSecretsSpec checks its keys)
        Assert.False(shipped, $"the base ships Secret {token.Str("name")}: a placeholder token would be the same in every cluster");
        Assert.True(tokenVariable.Contains("Node", StringComparison.Ordinal)
            ? NodeSettings.ReadsEnvironmentVariable(tokenVariable)
            : LighthouseSettings.ReadsEnvironmentVariable(tokenVariable));
    }

    [Theory]
    [InlineData("src/ActorPubSub.Node/Dockerfile")]
    [InlineData("lighthouse/Dockerfile")]
    public void Images_should_carry_pbm_on_the_PATH(string dockerfile)
    {
        // act
        var text = File.ReadAllText(Path.Combine(ServiceProcess.RepositoryRoot, dockerfile));

        // assert
        Assert.Contains("dotnet publish src/ActorPubSub.Cli/ActorPubSub.Cli.csproj", text, StringComparison.Ordinal);
        Assert.Contains("COPY --from=build /pbm /opt/pbm", text, StringComparison.Ordinal);
        Assert.Contains("exec dotnet /opt/pbm/pbm.dll \"$@\"\\n' > /usr/local/bin/pbm", text, StringComparison.Ordinal);
    }
}
