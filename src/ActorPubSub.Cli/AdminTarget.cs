using System.Globalization;
using System.Text.RegularExpressions;

namespace ActorPubSub.Cli;

/// <summary>
/// The host pbm talks to: <c>host:port</c> (<c>127.0.0.1:9110</c>, <c>broker-0.broker:9110</c>, <c>[::1]:9110</c>) or an
/// <c>http://</c> URL; <c>127.0.0.1:9110</c> (a node's default web server) when none is given.
/// </summary>
public sealed partial record AdminTarget(Uri BaseUrl)
{
    public const string DefaultAddress = "127.0.0.1:9110";

    public static readonly AdminTarget Default = new(new Uri($"http://{DefaultAddress}/"));

    /// <summary>How the target is shown in messages: <c>127.0.0.1:9110</c>.</summary>
    public string Display => BaseUrl.IsDefaultPort ? BaseUrl.Host : $"{BaseUrl.Host}:{BaseUrl.Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>True when <paramref name="word"/> names a host rather than a palette (palette names have no ':').</summary>
    public static bool LooksLikeTarget(string word) => word.Contains(':', StringComparison.Ordinal);

    public static AdminTarget Parse(string text)
    {
        var url = text.Contains("://", StringComparison.Ordinal) ? text : $"http://{text}";
        if ((!text.Contains("://", StringComparison.Ordinal) && !HostPort().IsMatch(text)) || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Port is < 1 or > 65535)
            throw PbmException.UsageError($"'{text}' is not a host:port (e.g. 127.0.0.1:9110) or an http:// URL", null);
        return new AdminTarget(new Uri($"{uri.Scheme}://{uri.Authority}/"));
    }

    [GeneratedRegex(@"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.\-]+):[0-9]{1,5}$")]
    private static partial Regex HostPort();
}
