
namespace ActorPubSub.Filters;

internal enum FilterTokenKind
{
    Name,           // an identifier or a `quoted` name
    String,
    Number,
    And,
    Or,
    Not,
    In,
    OpenParen,
    CloseParen,
    Comma,
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    End,
}

/// <summary>One token of a filter.</summary>
/// <param name="Text">The token as written, for error messages.</param>
/// <param name="Value">A name without its backticks, or a string literal with its escapes resolved.</param>
/// <param name="Quoted">A name written in backticks: never a function name.</param>
internal readonly record struct FilterToken(
    FilterTokenKind Kind, int Position, string Text, string Value = "", double Number = 0, bool Quoted = false)
{
    private const int MaxShown = 40;

    public bool IsComparison => Kind is FilterTokenKind.Equal or FilterTokenKind.NotEqual or FilterTokenKind.Less
        or FilterTokenKind.LessOrEqual or FilterTokenKind.Greater or FilterTokenKind.GreaterOrEqual;

    /// <summary>How an error message names this token: <c>'AND'</c>, <c>'"x"'</c>, or "the end of the filter".</summary>
    public string Describe() => Kind == FilterTokenKind.End
        ? "the end of the filter"
        : $"'{(Text.Length > MaxShown ? Text[..MaxShown] + "…" : Text)}'";
}
