using System.Collections.Frozen;

namespace ActorPubSub.Filters;

/// <summary>
/// Recursive-descent parser from tokens to a <see cref="FilterNode"/> tree:
/// <code>
/// filter     := or END
/// or         := and (OR and)*
/// and        := unary (AND unary)*
/// unary      := NOT unary | primary
/// primary    := '(' or ')' | function | comparison
/// function   := identifier '(' [argument (',' argument)*] ')'
/// comparison := name (= | != | &lt; | &lt;= | &gt; | &gt;=) (string | number)
///             | name [NOT] IN '(' string (',' string)* ')'
/// </code>
/// </summary>
internal sealed class FilterParser
{
    private const string Operators = "=, !=, <, <=, >, >=, IN or NOT IN";

    private readonly string _expression;
    private readonly List<FilterToken> _tokens;
    private int _next;
    private int _depth;

    private FilterParser(string expression)
    {
        _expression = expression;
        _tokens = FilterLexer.Tokenize(expression);
    }

    /// <exception cref="FilterSyntaxException">The filter is malformed or breaks one of the <see cref="FilterLimits"/>.</exception>
    public static FilterNode Parse(string expression)
    {
        if (expression.Length > FilterLimits.MaxLength)
            throw new FilterSyntaxException(expression, FilterLimits.MaxLength,
                $"the filter is {expression.Length} characters long; at most {FilterLimits.MaxLength} are allowed");
        if (string.IsNullOrWhiteSpace(expression))
            throw new FilterSyntaxException(expression, 0, "the filter is empty; write a condition such as type = \"order.created\"");

        var parser = new FilterParser(expression);
        var root = parser.ParseOr("at the start of the filter");
        var trailing = parser.Peek;
        if (trailing.Kind == FilterTokenKind.CloseParen)
            throw parser.Error(trailing, "unexpected ')' without a matching '('");
        if (trailing.Kind != FilterTokenKind.End)
            throw parser.Error(trailing, $"expected AND, OR or the end of the filter but found {trailing.Describe()}");
        return root;
    }

    private FilterToken Peek => _tokens[_next];

    private FilterToken Take() => _tokens[_next++];

    private FilterNode ParseOr(string context) =>
        ParseChain(context, FilterTokenKind.Or, "after OR", ParseAnd, operands => new AnyOf(operands));

    private FilterNode ParseAnd(string context) =>
        ParseChain(context, FilterTokenKind.And, "after AND", ParseUnary, operands => new AllOf(operands));

    /// <summary>
    /// <c>operand (op operand)*</c>: one operand as it is, two or more joined by <paramref name="join"/>
    /// (AND binds tighter than OR because an OR chain's operands are AND chains).
    /// </summary>
    private FilterNode ParseChain(string context, FilterTokenKind op, string afterOp, Func<string, FilterNode> operand,
        Func<FilterNode[], FilterNode> join)
    {
        var operands = new List<FilterNode> { operand(context) };
        while (Peek.Kind == op)
        {
            Take();
            operands.Add(operand(afterOp));
        }
        return operands.Count == 1 ? operands[0] : join([.. operands]);
    }

    private FilterNode ParseUnary(string context)
    {
        if (Peek.Kind != FilterTokenKind.Not) return ParsePrimary(context);
        var not = Take();
        Enter(not);
        var operand = ParseUnary("after NOT");
        _depth--;
        return new Negation(operand);
    }

    private FilterNode ParsePrimary(string context)
    {
        var token = Peek;
        switch (token.Kind)
        {
            case FilterTokenKind.OpenParen:
                Take();
                Enter(token);
                var inner = ParseOr("after '('");
                var close = Take();
                if (close.Kind != FilterTokenKind.CloseParen)
                    throw Error(close, $"expected ')' to close the '(' at position {token.Position} but found {close.Describe()}");
                _depth--;
                return inner;
            case FilterTokenKind.Name when !token.Quoted && _tokens[_next + 1].Kind == FilterTokenKind.OpenParen:
                return ParseFunction();
            case FilterTokenKind.Name:
                return ParseComparison();
            default:
                throw Error(token, $"expected a condition (a header name, a function call, NOT or '(') {context} but found {token.Describe()}");
        }
    }

    private FilterNode ParseComparison()
    {
        var name = Take();
        var op = Take();
        if (op.IsComparison)
        {
            var literal = Take();
            return literal.Kind switch
            {
                FilterTokenKind.String => new TextComparison(name.Value, ToOperator(op.Kind), literal.Value),
                FilterTokenKind.Number => new NumberComparison(name.Value, ToOperator(op.Kind), literal.Number),
                _ => throw Error(literal, $"expected a string or number literal after '{op.Text}' but found {literal.Describe()}"),
            };
        }
        if (op.Kind == FilterTokenKind.In) return ParseInList(name, negated: false);
        if (op.Kind == FilterTokenKind.Not)
        {
            var @in = Take();
            if (@in.Kind != FilterTokenKind.In)
                throw Error(@in, $"expected IN after '{name.Text} NOT' but found {@in.Describe()}; to negate a condition put NOT before it");
            return ParseInList(name, negated: true);
        }
        throw Error(op, $"expected an operator ({Operators}) after header {name.Describe()} but found {op.Describe()}");
    }

    private HeaderInList ParseInList(FilterToken name, bool negated)
    {
        var open = Take();
        if (open.Kind != FilterTokenKind.OpenParen)
            throw Error(open, $"expected '(' after IN, as in {name.Text} IN (\"a\", \"b\"), but found {open.Describe()}");
        if (Peek.Kind == FilterTokenKind.CloseParen)
            throw Error(Peek, "an IN list needs at least one string literal, as in (\"a\", \"b\")");

        var values = new List<string>();
        while (true)
        {
            var value = Take();
            if (value.Kind != FilterTokenKind.String)
                throw Error(value, $"expected a string literal in the IN list but found {value.Describe()}");
            if (values.Count == FilterLimits.MaxInListValues)
                throw Error(value, $"an IN list holds at most {FilterLimits.MaxInListValues} values");
            values.Add(value.Value);

            var separator = Take();
            if (separator.Kind == FilterTokenKind.CloseParen) break;
            if (separator.Kind != FilterTokenKind.Comma)
                throw Error(separator, $"expected ',' or ')' in the IN list but found {separator.Describe()}");
        }
        return new HeaderInList(name.Value, values.ToFrozenSet(StringComparer.Ordinal), negated);
    }

    private FilterNode ParseFunction()
    {
        var name = Take();
        var function = FilterFunction.Find(name.Value)
            ?? throw Error(name, $"unknown function '{name.Text}'; the functions are {FilterFunction.Names}");
        Take();                                      // the '(' that made this a function call

        var arguments = new List<FilterToken>();
        if (Peek.Kind == FilterTokenKind.CloseParen) Take();
        else
        {
            while (true)
            {
                var argument = Take();
                if (argument.Kind is not (FilterTokenKind.Name or FilterTokenKind.String or FilterTokenKind.Number))
                    throw Error(argument, $"expected an argument of {function.Name} ({function.Signature}) but found {argument.Describe()}");
                arguments.Add(argument);

                var separator = Take();
                if (separator.Kind == FilterTokenKind.CloseParen) break;
                if (separator.Kind != FilterTokenKind.Comma)
                    throw Error(separator, $"expected ',' or ')' after an argument of {function.Name} but found {separator.Describe()}");
            }
        }

        var arity = function.Arity;
        if (arguments.Count != arity)
        {
            // Point at the first argument too many, or at the ')' where one is missing.
            var at = arguments.Count > arity ? arguments[arity] : _tokens[_next - 1];
            throw Error(at, $"{function.Name} takes {arity} argument{(arity == 1 ? "" : "s")} ({function.Signature}) " +
                            $"but was given {arguments.Count}; it is written {function.Name}({function.Example})");
        }
        if (arguments[0].Kind != FilterTokenKind.Name)
            throw Error(arguments[0], $"the first argument of {function.Name} must be a header name but found {arguments[0].Describe()}");
        if (arity == 2 && arguments[1].Kind != FilterTokenKind.String)
            throw Error(arguments[1], $"the second argument of {function.Name} must be a string literal but found {arguments[1].Describe()}");
        return function.Create(arguments[0].Value, arity == 2 ? arguments[1].Value : "");
    }

    private void Enter(FilterToken opener)
    {
        if (++_depth > FilterLimits.MaxDepth)
            throw Error(opener, $"the filter nests more than {FilterLimits.MaxDepth} levels deep (each '(' and NOT opens a level)");
    }

    private static ComparisonOperator ToOperator(FilterTokenKind kind) => kind switch
    {
        FilterTokenKind.Equal => ComparisonOperator.Equal,
        FilterTokenKind.NotEqual => ComparisonOperator.NotEqual,
        FilterTokenKind.Less => ComparisonOperator.Less,
        FilterTokenKind.LessOrEqual => ComparisonOperator.LessOrEqual,
        FilterTokenKind.Greater => ComparisonOperator.Greater,
        _ => ComparisonOperator.GreaterOrEqual,
    };

    private FilterSyntaxException Error(FilterToken at, string detail) => new(_expression, at.Position, detail);
}
