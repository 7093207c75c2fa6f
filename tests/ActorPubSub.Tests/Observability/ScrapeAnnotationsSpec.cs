using ActorPubSub.Tests.Deployment;

namespace ActorPubSub.Tests.Observability;

/// <summary>The Kubernetes base tells annotation-following Prometheus scrapers where each program serves its metrics.</summary>
[Trait("Category", "Unit")]
public sealed class ScrapeAnnotationsSpec(RenderedManifests manifests) : IClassFixture<RenderedManifests>
{
    [Theory]
    [InlineData("broker")]
    [InlineData("lighthouse")]
    public void Pods_should_be_annotated_for_scraping_on_the_web_port_at_metrics(string statefulSet)
    {
        // arrange
        var template = manifests.Get("StatefulSet", statefulSet).Map("spec").Map("template");
        var annotations = template.Map("metadata").Map("annotations");
        var container = Assert.Single(template.Map("spec").Seq("containers").Cast<YamlDotNet.RepresentationModel.YamlMappingNode>());
        var http = container.Seq("ports").Cast<YamlDotNet.RepresentationModel.YamlMappingNode>().Single(p => p.Str("name") == "http");

        // assert
        Assert.Equal("true", annotations.Str("prometheus.io/scrape"));
        Assert.Equal(http.Str("containerPort"), annotations.Str("prometheus.io/port"));
        Assert.Equal("/metrics", annotations.Str("prometheus.io/path"));
    }
}
