using System.Text;

namespace ActorPubSub.Cli;

/// <summary>
/// Splits a line typed at the pbm prompt into words like a POSIX shell does: whitespace separates, '...' is literal,
/// "..." allows \" and \\, a backslash outside quotes escapes the next character.
/// </summary>
public static class LineSplitter
{
    public static IReadOnlyList<string> Split(string line)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        char? quote = null;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quote == '\'')
            {
                if (c == '\'') quote = null;
                else word.Append(c);
                continue;
            }
            if (quote == '"')
            {
                if (c == '"') quote = null;
                else if (c == '\\' && i + 1 < line.Length && line[i + 1] is '"' or '\\') word.Append(line[++i]);
                else word.Append(c);
                continue;
            }
            if (char.IsWhiteSpace(c))
            {
                if (inWord) words.Add(word.ToString());
                word.Clear();
                inWord = false;
                continue;
            }
            inWord = true;
            if (c is '\'' or '"') quote = c;
            else if (c == '\\' && i + 1 < line.Length) word.Append(line[++i]);
            else word.Append(c);
        }
        if (quote is not null) throw PbmException.UsageError($"unterminated {quote} quote", null);
        if (inWord) words.Add(word.ToString());
        return words;
    }
}
