namespace ActorPubSub.Cli;

/// <summary>
/// A plain-text table: columns padded to their widest cell and separated by two spaces, numbers right-aligned. Plain
/// (no box drawing, no colour), so it reads the same in a terminal, a log and <c>grep</c>.
/// </summary>
public static class TextTable
{
    public static IEnumerable<string> Render(IReadOnlyList<string> columns, IReadOnlyList<IReadOnlyList<string>> rows)
    {
        var widths = columns.Select((c, i) => Math.Max(c.Length, rows.Select(r => Cell(r, i).Length).DefaultIfEmpty(0).Max())).ToArray();
        var numeric = columns.Select((_, i) => rows.Count > 0 && rows.All(r => IsNumber(Cell(r, i)))).ToArray();
        yield return Line(columns, widths, numeric);
        foreach (var row in rows) yield return Line(row, widths, numeric);
    }

    private static string Line(IReadOnlyList<string> cells, int[] widths, bool[] numeric) =>
        string.Join("  ", widths.Select((w, i) => numeric[i] ? Cell(cells, i).PadLeft(w) : Cell(cells, i).PadRight(w))).TrimEnd();

    private static string Cell(IReadOnlyList<string> row, int i) => i < row.Count ? row[i] : "";

    // "1,234", "0", "?" (a topic that did not answer): right-aligned like the numbers around it.
    private static bool IsNumber(string cell) => cell.Length > 0 && cell.All(c => char.IsAsciiDigit(c) || c is ',' or '.' or '?');
}
