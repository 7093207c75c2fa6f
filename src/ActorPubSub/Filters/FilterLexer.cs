using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace ActorPubSub.Filters;

/// <summary>Splits a filter into tokens; the list always ends with an <see cref="FilterTokenKind.End"/> token.</summary>
internal static partial class FilterLexer
{
    private const string WhatIsAllowed =
        "a filter is made of header names, \"string\" literals, numbers, the operators = != < <= > >=, IN, NOT IN, " +
        "AND, OR, NOT, parentheses and the functions hasPrefix, hasSuffix, contains and exists; " +
        "a name outside [A-Za-z_][A-Za-z0-9_.-]* goes in backticks";

    public static List<FilterToken> Tokenize(string expression)
    {
        var tokens = new List<FilterToken>();
        var i = 0;
        while (true)
        {
            while (i < expression.Length && char.IsWhiteSpace(expression[i])) i++;
            if (i == expression.Length)
            {
                tokens.Add(new FilterToken(FilterTokenKind.End, i, ""));
                return tokens;
            }

            var start = i;
            var c = expression[i];
            var next = i + 1 < expression.Length ? expression[i + 1] : '\0';
            if (c == '"') tokens.Add(ReadString(expression, ref i));
            else if (c == '`') tokens.Add(ReadQuotedName(expression, ref i));
            else if (IsNameStart(c)) tokens.Add(ReadIdentifier(expression, ref i));
            else if (char.IsAsciiDigit(c) || (c == '-' && char.IsAsciiDigit(next))) tokens.Add(ReadNumber(expression, ref i));
            else
            {
                var (kind, length) = (c, next) switch
                {
                    ('(', _) => (FilterTokenKind.OpenParen, 1),
                    (')', _) => (FilterTokenKind.CloseParen, 1),
                    (',', _) => (FilterTokenKind.Comma, 1),
                    ('=', '=') => throw Error(expression, start, "unexpected '=='; compare with a single '='"),
                    ('=', _) => (FilterTokenKind.Equal, 1),
                    ('!', '=') => (FilterTokenKind.NotEqual, 2),
                    ('!', _) => throw Error(expression, start, "unexpected '!'; write != for not-equal or NOT to negate"),
                    ('<', '=') => (FilterTokenKind.LessOrEqual, 2),
                    ('<', _) => (FilterTokenKind.Less, 1),
                    ('>', '=') => (FilterTokenKind.GreaterOrEqual, 2),
                    ('>', _) => (FilterTokenKind.Greater, 1),
                    ('&' or '|', _) => throw Error(expression, start, $"unexpected '{c}'; combine conditions with AND and OR"),
                    ('\'', _) => throw Error(expression, start, "unexpected \"'\"; string literals are written in double quotes"),
                    _ => throw Error(expression, start, $"unexpected character '{c}'; {WhatIsAllowed}"),
                };
                tokens.Add(new FilterToken(kind, start, expression.Substring(start, length)));
                i += length;
            }
        }
    }

    private static bool IsNameStart(char c) => char.IsAsciiLetter(c) || c == '_';

    private static bool IsNamePart(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-';

    private static FilterToken ReadIdentifier(string expression, ref int i)
    {
        var start = i;
        while (i < expression.Length && IsNamePart(expression[i])) i++;
        var text = expression[start..i];
        // Keywords are case-insensitive; a header called "and" or "in" has to be written in backticks.
        var kind = text.ToUpperInvariant() switch
        {
            "AND" => FilterTokenKind.And,
            "OR" => FilterTokenKind.Or,
            "NOT" => FilterTokenKind.Not,
            "IN" => FilterTokenKind.In,
            _ => FilterTokenKind.Name,
        };
        return new FilterToken(kind, start, text, text);
    }

    private static FilterToken ReadQuotedName(string expression, ref int i)
    {
        var start = i;
        var close = expression.IndexOf('`', start + 1);
        if (close < 0) throw Error(expression, start, "unterminated name in backticks; close it with '`'");
        if (close == start + 1) throw Error(expression, start, "empty name in backticks; a header name has at least one character");
        i = close + 1;
        return new FilterToken(FilterTokenKind.Name, start, expression[start..i], expression[(start + 1)..close], Quoted: true);
    }

    private static FilterToken ReadString(string expression, ref int i)
    {
        var start = i;
        var value = new StringBuilder();
        i++;
        while (i < expression.Length)
        {
            var c = expression[i];
            if (c == '"')
            {
                i++;
                return new FilterToken(FilterTokenKind.String, start, expression[start..i], value.ToString());
            }
            if (c == '\\')
            {
                if (i + 1 == expression.Length) break;
                var escaped = expression[i + 1];
                if (escaped is not ('"' or '\\'))
                    throw Error(expression, i, $"unknown escape '\\{escaped}' in a string literal; only \\\" and \\\\ are allowed");
                value.Append(escaped);
                i += 2;
                continue;
            }
            value.Append(c);
            i++;
        }
        throw Error(expression, start, "unterminated string literal; close it with '\"' (write \\\" for a quote inside it)");
    }

    private static FilterToken ReadNumber(string expression, ref int i)
    {
        var start = i;
        i++;
        // Take everything that could belong to the number, so "1.2.3" or "5kg" is one bad number rather than
        // a number followed by a confusing error about the rest.
        while (i < expression.Length && ((IsNamePart(expression[i]) && expression[i] != '-')
               || (expression[i] is '+' or '-' && expression[i - 1] is 'e' or 'E')))
            i++;
        var text = expression[start..i];
        if (!NumberPattern().IsMatch(text))
            throw Error(expression, start, $"invalid number '{text}'; numbers are written like 5, -2.5 or 1e3");
        var number = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        if (!double.IsFinite(number)) throw Error(expression, start, $"number '{text}' is out of range");
        return new FilterToken(FilterTokenKind.Number, start, text, Number: number);
    }

    private static FilterSyntaxException Error(string expression, int position, string detail) => new(expression, position, detail);

    [GeneratedRegex("^-?[0-9]+(\\.[0-9]+)?([eE][+-]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex NumberPattern();
}
