using System.Globalization;
using System.Text;

namespace ActorPubSub.Cli;

/// <summary>
/// Makes text from the host (payloads, keys, headers, names, errors) safe to print to a terminal: control characters
/// are shown as escapes instead of acting. A newline in a header would otherwise forge an output line, and an ESC in a
/// payload would reach the terminal as an escape sequence (colours, cursor moves, window titles). <c>\n</c>, <c>\r</c>,
/// <c>\t</c> and <c>\e</c> (ESC) keep their usual names; other C0 and C1 controls and DEL become <c>\xNN</c>; the
/// bidirectional overrides and isolates, which reorder what a line shows, become <c>\u{NNNN}</c>. <c>--json</c> output is
/// not passed through this: it is exact, and JSON escapes control characters itself.
/// </summary>
public static class TerminalText
{
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text)) return text ?? "";
        if (!text.Any(NeedsEscape)) return text;
        var escaped = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            if (!NeedsEscape(c))
            {
                escaped.Append(c);
                continue;
            }
            escaped.Append(c switch
            {
                '\n' => @"\n",
                '\r' => @"\r",
                '\t' => @"\t",
                '\u001b' => @"\e",
                < '\u0100' => $@"\x{((int)c).ToString("X2", CultureInfo.InvariantCulture)}",
                _ => $@"\u{{{((int)c).ToString("X4", CultureInfo.InvariantCulture)}}}",
            });
        }
        return escaped.ToString();
    }

    // C0 controls, DEL, C1 controls; the bidi marks, embeddings, overrides and isolates (U+200E-F, U+202A-E, U+2066-9).
    private static bool NeedsEscape(char c) =>
        c < ' ' || c is >= '\u007f' and <= '\u009f' || c is '\u200e' or '\u200f' or >= '\u202a' and <= '\u202e' or >= '\u2066' and <= '\u2069';
}
