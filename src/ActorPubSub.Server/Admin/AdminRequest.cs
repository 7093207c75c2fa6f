using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ActorPubSub.Server.Admin;

/// <summary>
/// One <c>POST /admin/v1/{palette}/{command}</c>: finds the command (404 with what exists), checks the arguments (400),
/// takes a slot (429), runs it under its timeout, and writes the result, the error or the event stream.
/// </summary>
internal sealed class AdminRequest(HttpContext context, AdminCatalog catalog, AdminGate gate, ILogger logger, CancellationToken stopping)
{
    private string _palette = "";
    private string _command = "";

    public async Task RunAsync()
    {
        _palette = context.Request.RouteValues["palette"] as string ?? "";
        _command = (context.Request.RouteValues["command"] as string ?? "").Trim('/').Replace('/', ' ');
        try
        {
            await RunCommandAsync();
        }
        catch (AdminException e) when (!context.Response.HasStarted)
        {
            await AdminResponses.ErrorAsync(context, e);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The caller went away: nobody to answer.
        }
        catch (Exception error) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            // Whatever a command or the binder did not foresee: a JSON 500 (logged with its stack trace), never the
            // framework's empty one, so that the caller gets a reason and the audit line below the status it got.
            var failure = error as AdminException ?? Translate(error);
            await AdminResponses.ErrorAsync(context, failure);
        }
        finally
        {
            AdminLog.Command(logger, _palette, _command, AdminEndpoints.Remote(context), SentStatus());
        }
    }

    /// <summary>
    /// The status the caller got: the response's, or 499 (nginx's "client closed request") when the caller went away
    /// before any answer was sent.
    /// </summary>
    private int SentStatus() =>
        !context.Response.HasStarted && context.RequestAborted.IsCancellationRequested ? ClientClosedRequest : context.Response.StatusCode;

    private const int ClientClosedRequest = 499;

    private async Task RunCommandAsync()
    {
        var palette = catalog.Find(_palette) ?? throw WithList(
            AdminException.NotFound($"unknown palette '{_palette}'; this {catalog.Host} has {string.Join(", ", catalog.PaletteNames)}"),
            "palettes", catalog.PaletteNames);
        var command = palette.Find(_command) ?? throw WithList(
            AdminException.NotFound($"unknown command '{palette.Name} {_command}'; the {palette.Name} commands are {string.Join(", ", palette.Commands.Select(c => c.Name))}"),
            "commands", palette.Commands.Select(c => c.Name));
        (_palette, _command) = (palette.Name, command.Name);

        var body = await AdminEndpoints.ReadBodyAsync(context);
        var args = ArgumentBinder.Bind(palette.Name, command, body);
        var system = AdminEndpoints.System(context)
                     ?? throw AdminException.Unavailable("the actor system is not running (starting or stopping); try again");
        using var slot = gate.TryEnter(command.IsStreaming)
                         ?? throw new AdminException(429, $"busy: {(command.IsStreaming ? AdminGate.MaxStreams + " streams" : AdminGate.MaxCommands + " admin commands")} are running; try again shortly");

        if (command.Stream is { } stream)
        {
            using var cancel = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
            var streamContext = new AdminContext(system, context.RequestServices, command.Timeout, cancel.Token);
            await StreamAsync(stream(streamContext, args), cancel.Token);
            return;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        timeout.CancelAfter(command.Timeout);
        var adminContext = new AdminContext(system, context.RequestServices, command.Timeout, timeout.Token);
        CommandResult result;
        try
        {
            result = await command.Run!(adminContext, args);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested)
        {
            throw stopping.IsCancellationRequested
                ? AdminException.Unavailable("the host is stopping")
                : AdminException.Timeout($"{palette.Name} {command.Name}", command.Timeout);
        }
        catch (Exception error) when (error is not AdminException and not OperationCanceledException)
        {
            throw Translate(error);
        }
        await AdminResponses.WriteAsync(context, 200, new JsonObject
        {
            ["palette"] = palette.Name,
            ["command"] = command.Name,
            ["data"] = result.Data,
            ["view"] = new JsonArray([.. result.View.Select(b => (JsonNode?)b.ToJson())]),
        });
    }

    /// <summary>
    /// Writes events as NDJSON. Errors before the first event are ordinary error answers (the status is not sent yet);
    /// later ones end the stream with an <c>error</c> event. Disposing the enumerator (caller gone, host stopping)
    /// runs the command's clean-up.
    /// </summary>
    private async Task StreamAsync(IAsyncEnumerable<CommandEvent> events, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var e in events.WithCancellation(cancellationToken))
            {
                if (!context.Response.HasStarted) AdminResponses.StartStream(context);
                await AdminResponses.WriteEventAsync(context, e, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            if (!context.RequestAborted.IsCancellationRequested && context.Response.HasStarted)
                await TryWriteEventAsync(new CommandEvent("end", null, "the host is stopping"));
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            var failure = error as AdminException ?? Translate(error);
            if (!context.Response.HasStarted) throw failure;
            await TryWriteEventAsync(new CommandEvent("error", null, AdminResponses.OneLine(failure.Message)));
        }
    }

    private async Task TryWriteEventAsync(CommandEvent e)
    {
        try
        {
            await AdminResponses.WriteEventAsync(context, e, context.RequestAborted);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or InvalidOperationException)
        {
            // The connection is gone as well.
        }
    }

    /// <summary>Exceptions from the host's APIs: what the caller did wrong (400), did not answer (504), or a failure (500, logged).</summary>
    private AdminException Translate(Exception error)
    {
        switch (error)
        {
            case ArgumentException argument:
                // Without the " (Parameter 'topic')" that ArgumentException appends: the message names it already.
                return AdminException.BadRequest(argument.ParamName is { } name
                    ? argument.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal)
                    : argument.Message);
            case TimeoutException timeout:
                return new AdminException(504, timeout.Message);
            default:
                AdminLog.Failed(logger, error, _palette, _command);
                return new AdminException(500, $"{_palette} {_command} failed: {error.GetType().Name}: {error.Message}");
        }
    }

    private static AdminException WithList(AdminException error, string name, IEnumerable<string> items)
    {
        var details = error.Details ?? new JsonObject();
        details[name] = new JsonArray([.. items.Select(i => (JsonNode?)JsonValue.Create(i))]);
        return new AdminException(error.Status, error.Message, details);
    }
}
