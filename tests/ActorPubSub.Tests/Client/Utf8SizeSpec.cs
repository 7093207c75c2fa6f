using System.Collections.Immutable;
using ActorPubSub.Client;
using ActorPubSub.Hosting;
using ActorPubSub.Messages;
using ActorPubSub.Tests.Support;

namespace ActorPubSub.Tests.Client;

/// <summary>Sizes are UTF-8 bytes of every field, checked at the client before anything is sent.</summary>
[Trait("Category", "Integration")]
public sealed class Utf8SizeSpec : NodeSpec
{
    private const int Limit = 64 * 1024;

    // 3 bytes each in UTF-8, 1 UTF-16 character each: 30,000 characters are 90,000 bytes.
    private static readonly string Cjk = new('漢', 30_000);

    protected override PubSubOptions Options => new() { MaxMessageSize = Limit };

    [Fact]
    public void MessageSize_should_count_UTF8_bytes_of_every_field()
    {
        var payload = new Payload(1, "é", new byte[10]);
        var size = MessageSize.Of(payload, "ключ", ImmutableDictionary<string, string>.Empty.Add("ä", "漢"), "id-€");

        // payload 10 + manifest 2, key 8, header 2 + 3, id 3 + 3
        Assert.Equal(10 + 2 + 8 + 5 + 6, size);
    }

    [Fact]
    public async Task A_key_under_the_limit_in_characters_but_over_it_in_bytes_should_be_refused_at_once_naming_the_key()
    {
        Assert.True(Cjk.Length < Limit);

        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            Node.Client.PublishAsync("sizes", "small", new PublishOptions { Key = Cjk }));

        Assert.Contains("key", error.Message);
        Assert.Contains("90000 bytes", error.Message);
        Assert.Contains(Limit.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message);
    }

    [Theory]
    [InlineData("headers")]
    [InlineData("message id")]
    public void Headers_and_ids_should_be_counted_in_bytes_too(string field)
    {
        var options = field == "headers"
            ? new PublishOptions { Headers = ImmutableDictionary<string, string>.Empty.Add("h", Cjk) }
            : new PublishOptions { MessageId = Cjk };

        var error = Assert.Throws<ArgumentException>(() => Node.Client.PublishTransient("sizes", "small", options));

        Assert.StartsWith($"The {field} is 90", error.Message);
    }

    [Fact]
    public async Task A_message_just_under_the_limit_should_still_go()
    {
        var receipt = await Node.Client.PublishAsync("sizes", new byte[Limit - 1024], new PublishOptions { Key = new string('é', 100) });

        Assert.True(receipt.Sequence > 0);
    }

    [Fact]
    public void Client_batches_should_stay_under_the_remote_frame_limit_read_from_Akka_Remote()
    {
        var settings = ClientSettings.Create(Node.System);
        var frame = Node.System.Settings.Config.GetByteSize("akka.remote.dot-netty.tcp.maximum-frame-size");

        Assert.Equal(frame, settings.MaxFrameSize);
        Assert.True(settings.BatchBytes < frame);
        Assert.True(settings.MessageLimit <= Limit);
        Assert.Equal(1000, (settings with { MaxFrameSize = 1000 + ClientSettings.FrameOverhead + ClientSettings.PerMessageOverhead }).MessageLimit);
    }
}
