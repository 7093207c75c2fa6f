using Akka.Actor;
using ActorPubSub.Topics;
using ActorPubSub.Messages;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Tests.Topics;

/// <summary>The grammar of topic and subscription names and the errors that explain it.</summary>
[Trait("Category", "Unit")]
public sealed class TopicNamesSpec
{
    [Theory]
    [InlineData("a")]
    [InlineData("7")]
    [InlineData("orders")]
    [InlineData("Orders.v2_eu-west-1")]
    [InlineData("0...___---")]
    public void ValidateTopic_should_accept_names_of_the_grammar(string name)
    {
        // act
        var topic = TopicNames.ValidateTopic(name);
        var subscription = TopicNames.ValidateSubscription(name);

        // assert: and every valid name is a valid actor name
        Assert.Null(topic);
        Assert.Null(subscription);
        Assert.True(ActorPath.IsValidPathElement(name));
    }

    [Fact]
    public void ValidateTopic_should_accept_exactly_the_maximum_length()
    {
        // arrange
        var longest = new string('t', TopicNames.MaxTopicLength);
        var tooLong = longest + "t";

        // act
        var atMax = TopicNames.ValidateTopic(longest);
        var overMax = TopicNames.ValidateTopic(tooLong);

        // assert
        Assert.Equal(128, TopicNames.MaxTopicLength);
        Assert.Null(atMax);
        Assert.Equal("The topic name is 129 characters long; at most 128 are allowed.", overMax);
    }

    [Fact]
    public void ValidateSubscription_should_accept_exactly_the_maximum_length()
    {
        // arrange
        var longest = new string('s', TopicNames.MaxSubscriptionLength);

        // act
        var atMax = TopicNames.ValidateSubscription(longest);
        var overMax = TopicNames.ValidateSubscription(longest + "s");
        var topicOfSameLength = TopicNames.ValidateTopic(longest + "s");

        // assert
        Assert.Equal(64, TopicNames.MaxSubscriptionLength);
        Assert.Null(atMax);
        Assert.Equal("The subscription name is 65 characters long; at most 64 are allowed.", overMax);
        Assert.Null(topicOfSameLength);
    }

    [Fact]
    public void Persistence_ids_should_fit_the_journal_column_at_the_maximum_name_length()
    {
        // act
        var id = TopicNames.TopicPersistenceId(new string('t', TopicNames.MaxTopicLength));

        // assert: Akka.Persistence.Sql's persistence_id is 255 characters, with room for "dlq:topic:subscription"
        Assert.Equal("topic:" + new string('t', 128), id);
        Assert.True("dlq:".Length + TopicNames.MaxTopicLength + 1 + TopicNames.MaxSubscriptionLength <= 255);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void ValidateTopic_should_require_a_name(string? name)
    {
        // act
        var topic = TopicNames.ValidateTopic(name);
        var subscription = TopicNames.ValidateSubscription(name);

        // assert: the error states the whole grammar
        Assert.Equal($"A topic name is required; it {TopicNames.Grammar}, 1-128 characters.", topic);
        Assert.Equal($"A subscription name is required; it {TopicNames.Grammar}, 1-64 characters.", subscription);
    }

    [Theory]
    [InlineData("orders:eu", ':', 6)]
    [InlineData("orders/eu", '/', 6)]
    [InlineData("orders eu", ' ', 6)]
    [InlineData("ab*", '*', 2)]
    [InlineData("zürich", 'ü', 1)]
    [InlineData("a\u0430", '\u0430', 1)]   // Cyrillic 'а', which looks like 'a'
    [InlineData("a\uff11", '\uff11', 1)]   // full-width digit one
    public void ValidateTopic_should_name_the_first_character_outside_the_grammar(string name, char bad, int position)
    {
        // act
        var error = TopicNames.ValidateTopic(name);

        // assert
        Assert.Equal($"The topic name '{name}' has the character '{bad}' at position {position}; a topic name {TopicNames.Grammar}.", error);
    }

    [Theory]
    [InlineData(".hidden")]
    [InlineData("_private")]
    [InlineData("-dash")]
    [InlineData(" space")]
    [InlineData("ünïcode")]
    public void ValidateSubscription_should_require_a_letter_or_digit_first(string name)
    {
        // act
        var error = TopicNames.ValidateSubscription(name);

        // assert
        Assert.Equal($"The subscription name '{name}' is invalid: it must start with an ASCII letter or digit.", error);
    }

    [Fact]
    public void Names_should_be_case_sensitive()
    {
        // act
        var upper = TopicNames.TopicPersistenceId("Orders");
        var lower = TopicNames.TopicPersistenceId("orders");

        // assert
        Assert.Null(TopicNames.ValidateTopic("Orders"));
        Assert.NotEqual(upper, lower);
    }

    [Theory]
    [InlineData("ab\ncd", "ab\\u000acd", "\\u000a", 2)]
    [InlineData("ab\r\n", "ab\\u000d\\u000a", "\\u000d", 2)]
    [InlineData("a\u0000", "a\\u0000", "\\u0000", 1)]
    [InlineData("a\u007f", "a\\u007f", "\\u007f", 1)]
    [InlineData("a\u0085b", "a\\u0085b", "\\u0085", 1)]   // NEL, a C1 control
    public void ValidateTopic_should_escape_control_characters_in_its_error(string name, string printed, string printedChar, int position)
    {
        // act
        var error = TopicNames.ValidateTopic(name)!;

        // assert: the error is one printable line that still shows what was sent
        Assert.Equal($"The topic name '{printed}' has the character '{printedChar}' at position {position}; a topic name {TopicNames.Grammar}.", error);
        Assert.DoesNotContain(error, char.IsControl);
    }

    [Fact]
    public void ValidateTopic_should_escape_a_leading_control_character()
    {
        // act
        var error = TopicNames.ValidateTopic("\tabc");

        // assert
        Assert.Equal("The topic name '\\u0009abc' is invalid: it must start with an ASCII letter or digit.", error);
    }

    [Fact]
    public void EnsureTopic_should_throw_with_the_error_and_the_parameter_name()
    {
        // act
        var byDefault = Assert.Throws<ArgumentException>(() => TopicNames.EnsureTopic("a:b"));
        var named = Assert.Throws<ArgumentException>(() => TopicNames.EnsureTopic("", "destination"));

        // assert
        Assert.Equal("topic", byDefault.ParamName);
        Assert.StartsWith(TopicNames.ValidateTopic("a:b")!, byDefault.Message);
        Assert.Equal("destination", named.ParamName);
        TopicNames.EnsureTopic("a.b");   // a valid name does not throw
    }

    [Fact]
    public void EnsureSubscription_should_throw_with_the_error_and_the_parameter_name()
    {
        // act
        var error = Assert.Throws<ArgumentException>(() => TopicNames.EnsureSubscription(new string('s', 65)));

        // assert
        Assert.Equal("subscription", error.ParamName);
        Assert.Contains("at most 64", error.Message);
        TopicNames.EnsureSubscription(new string('s', 64));
    }
}
