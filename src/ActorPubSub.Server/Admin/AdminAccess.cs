using System.Security.Cryptography;
using System.Text;
using ActorPubSub.Server.Web;

namespace ActorPubSub.Server.Admin;

/// <summary>How the admin endpoint treats callers.</summary>
internal enum AdminMode
{
    /// <summary>No token needed: the web server listens on a loopback address only, so only this machine can call.</summary>
    Open,
    /// <summary>Every request needs <c>Authorization: Bearer &lt;token&gt;</c>.</summary>
    TokenRequired,
    /// <summary>Not served: the web server is reachable from other machines and no token is configured.</summary>
    Disabled,
}

/// <summary>
/// Who may use the admin endpoint. The rule: a web server bound to a non-loopback address (<c>0.0.0.0</c>, a pod IP)
/// can be reached by anyone on the network, so admin then requires a bearer token, and without a configured token it
/// is disabled (the health endpoints stay open: probes need them). On loopback no token is needed unless
/// <c>RequireAdminToken</c> asks for one (so the rule can also be exercised where only loopback may be used).
/// </summary>
internal sealed class AdminAccess
{
    /// <summary>Shortest token accepted: a guessable token on a network-facing endpoint is no protection.</summary>
    public const int MinTokenLength = 16;

    private readonly byte[]? _tokenHash;

    /// <summary>
    /// Tokens that were published as examples (the Kubernetes base shipped the first), so anyone may know them. Compared
    /// exactly; <see cref="PlaceholderWords"/> catches the rest of their kind.
    /// </summary>
    public static readonly IReadOnlyList<string> KnownPlaceholders = ["change-me-admin-token-0123456789"];

    /// <summary>Words of a token that was never replaced (compared without case, '-', '_' or '.').</summary>
    private static readonly string[] PlaceholderWords = ["changeme", "changeit", "placeholder", "replaceme", "example", "yourtoken", "insecure"];

    /// <summary>Fewest different characters a token must have: <c>aaaaaaaaaaaaaaaa</c> is long but no secret.</summary>
    private const int MinDistinctCharacters = 6;

    private AdminAccess(AdminMode mode, string? token, string reason, AdminOrigin origin)
    {
        Mode = mode;
        Reason = reason;
        Origin = origin;
        _tokenHash = token is null ? null : SHA256.HashData(Encoding.UTF8.GetBytes(token));
    }

    public AdminMode Mode { get; }

    /// <summary>Which Host and Origin requests may carry (every mode: a browser can send no token, but it can send a request).</summary>
    public AdminOrigin Origin { get; }

    /// <summary>Why this mode, for the start-up log and the answer of a disabled endpoint.</summary>
    public string Reason { get; }

    /// <param name="tokenSetting">Where the token is configured, e.g. <c>Node:AdminToken (ACTORPUBSUB_Node__AdminToken)</c>.</param>
    /// <param name="hostNames">Names the endpoint answers to as <c>Host</c> besides loopback and IP addresses (see <see cref="AdminOrigin"/>).</param>
    public static AdminAccess Resolve(HttpAddress address, string? token, bool requireToken, string tokenSetting,
        IEnumerable<string?>? hostNames = null)
    {
        var origin = new AdminOrigin(address, hostNames ?? []);
        if (!address.IsLoopback)
        {
            return token is null
                ? new AdminAccess(AdminMode.Disabled, null,
                    $"the web server listens on {address}, which is not loopback only, and no admin token is configured ({tokenSetting})", origin)
                : new AdminAccess(AdminMode.TokenRequired, token, $"the web server listens on {address}, which is not loopback only", origin);
        }
        if (requireToken)
        {
            return token is null
                ? new AdminAccess(AdminMode.Disabled, null, $"a token is required but none is configured ({tokenSetting})", origin)
                : new AdminAccess(AdminMode.TokenRequired, token, "RequireAdminToken is set", origin);
        }
        return new AdminAccess(AdminMode.Open, null, $"the web server listens on {address}, loopback only", origin);
    }

    /// <summary>Why <paramref name="token"/> cannot be an admin token; null when it can (or is not set).</summary>
    public static string? ValidateToken(string? token)
    {
        if (token is null) return null;
        if (token.Length < MinTokenLength) return $"must be at least {MinTokenLength} characters (a long random string, e.g. from openssl rand -hex 24)";
        if (token.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))) return "must not contain spaces or control characters";
        const string make = "make one with openssl rand -hex 24";
        if (KnownPlaceholders.Contains(token, StringComparer.OrdinalIgnoreCase))
            return $"is the published example token, which anyone may know: {make}";
        var letters = new string([.. token.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant)]);
        if (PlaceholderWords.FirstOrDefault(w => letters.Contains(w, StringComparison.Ordinal)) is { } word)
            return $"looks like a placeholder (it contains '{word}'): {make}";
        if (token.Distinct().Count() < MinDistinctCharacters)
            return $"has fewer than {MinDistinctCharacters} different characters, so it is guessable: {make}";
        return null;
    }

    /// <summary>True when a request with this <c>Authorization</c> header may run admin commands.</summary>
    public bool Authorizes(string? authorization)
    {
        if (Mode == AdminMode.Open) return true;
        if (Mode == AdminMode.Disabled || _tokenHash is null) return false;
        const string scheme = "Bearer ";
        if (authorization is null || !authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)) return false;
        // Hashes have equal length, so the comparison takes the same time whatever the token sent.
        var sent = SHA256.HashData(Encoding.UTF8.GetBytes(authorization[scheme.Length..].Trim()));
        return CryptographicOperations.FixedTimeEquals(sent, _tokenHash);
    }
}
