using System.Runtime.InteropServices;
using ActorPubSub.Cli;

var console = PbmConsole.System();
// Ctrl-C (and SIGTERM, e.g. kubectl exec ended) stops the running command, so a tail ends cleanly and the host deletes
// its temporary subscription; at the prompt, with nothing running, they end pbm as usual.
Console.CancelKeyPress += (_, e) => e.Cancel = console.Interrupts.Interrupt();
using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => context.Cancel = console.Interrupts.Interrupt());
return await Pbm.RunAsync(args, console, CancellationToken.None);
