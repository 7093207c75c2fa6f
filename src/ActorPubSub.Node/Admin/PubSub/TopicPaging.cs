using ActorPubSub.Topics;
using ActorPubSub.Topics.Subscriptions;

namespace ActorPubSub.Node.Admin.PubSub;

/// <summary>
/// The paging arguments of the listings across topics (<c>--prefix</c>, <c>--after</c>, <c>-n</c>) and the page they
/// select from the journal.
/// </summary>
internal static class TopicPaging
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    public static IReadOnlyList<CommandArgument> Arguments { get; } =
    [
        CommandArgument.Option("prefix", 'p', "only topics whose name starts with this") with { ValueName = "text" },
        CommandArgument.Option("after", null, "the page after this topic name (the previous page's last one)") with { ValueName = "topic" },
        CommandArgument.Option("limit", 'n', $"topics to look at, {DefaultLimit} by default (each is asked for its state)") with
            { Type = ArgumentType.Integer, Min = 1, Max = MaxLimit },
    ];

    public static Task<TopicCatalog.Page> PageAsync(AdminContext context, CommandArgs args)
    {
        var prefix = args.String("prefix");
        if (prefix is not null && prefix.Any(c => !char.IsAsciiLetterOrDigit(c) && c is not ('.' or '_' or '-')))
            throw args.Invalid("prefix", $"must be the start of a topic name: a topic name {TopicNames.Grammar}");
        var after = args.String("after");
        if (after is not null && TopicNames.ValidateTopic(after) is { } error) throw args.Invalid("after", error);
        return TopicCatalog.ListAsync(context.System, prefix, after, (int)(args.Integer("limit") ?? DefaultLimit), context.Cancellation);
    }

    /// <summary>
    /// <c>Count: 3 topics</c>, <c>Count: 100 of 250 topics (next page: --after orders-99)</c>, or with
    /// <paramref name="items"/> (<c>12 subscriptions</c>): <c>Count: 12 subscriptions in 3 topics</c>.
    /// </summary>
    public static string Footer(TopicCatalog.Page page, string? items = null)
    {
        var complete = page.NextAfter is null && page.Topics.Count == page.Total;
        var topics = complete ? Plural(page.Total, "topic") : $"{page.Topics.Count} of {Plural(page.Total, "topic")}";
        var next = page.NextAfter is { } after ? $" (next page: --after {after})" : "";
        return items is null ? $"Count: {topics}{next}" : $"Count: {items} in {topics}{next}";
    }

    public static string Plural(long n, string noun) => $"{n} {noun}{(n == 1 ? "" : "s")}";

    public static JsonObject Json(TopicCatalog.Page page) => new()
    {
        ["total"] = page.Total,
        ["nextAfter"] = page.NextAfter,
    };
}
