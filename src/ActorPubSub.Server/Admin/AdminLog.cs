using Microsoft.Extensions.Logging;

namespace ActorPubSub.Server.Admin;

/// <summary>The admin endpoint's log lines (node and lighthouse log them in their own category).</summary>
internal static partial class AdminLog
{
    [LoggerMessage(EventId = 30, Level = LogLevel.Information,
        Message = "Admin endpoint on {Urls}{BasePath} (pbm; palettes {Palettes}): every request needs Authorization: Bearer <token> ({Reason})")]
    public static partial void TokenRequired(ILogger logger, string urls, string basePath, string palettes, string reason);

    [LoggerMessage(EventId = 31, Level = LogLevel.Information,
        Message = "Admin endpoint on {Urls}{BasePath} (pbm; palettes {Palettes}): no token needed ({Reason})")]
    public static partial void Open(ILogger logger, string urls, string basePath, string palettes, string reason);

    [LoggerMessage(EventId = 32, Level = LogLevel.Warning,
        Message = "Admin endpoint disabled: {Reason}; set one to use pbm (health endpoints stay open)")]
    public static partial void Disabled(ILogger logger, string reason);

    [LoggerMessage(EventId = 33, Level = LogLevel.Information, Message = "Admin command {Palette} {Command} from {Remote}: {Status}")]
    public static partial void Command(ILogger logger, string palette, string command, string remote, int status);

    [LoggerMessage(EventId = 34, Level = LogLevel.Warning, Message = "Admin command {Palette} {Command} failed")]
    public static partial void Failed(ILogger logger, Exception exception, string palette, string command);

    [LoggerMessage(EventId = 35, Level = LogLevel.Warning, Message = "Admin request {Path} from {Remote} refused: missing or wrong token")]
    public static partial void Unauthorized(ILogger logger, string path, string remote);

    [LoggerMessage(EventId = 36, Level = LogLevel.Warning, Message = "Admin request {Path} from {Remote} refused: {Reason}")]
    public static partial void Foreign(ILogger logger, string path, string remote, string reason);
}
