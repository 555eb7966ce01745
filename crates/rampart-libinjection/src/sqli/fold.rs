//! Folding: the token stream reduced to at most five tokens, libinjection 3.9.2's rules.
//!
//! The folder works on a window of the slots: `left` counts the tokens already settled and
//! `next` is where the next token goes. It looks at two tokens after `left`, then three,
//! rewrites or drops tokens when a rule matches ("1 + 1" becomes "1", "UNION" "ALL" one
//! word), and settles one more token when none does. Rules sometimes rewind `left` to 0 so
//! that the result is folded again. Which rule wins where several match, and where each
//! rewinds to, decide the fingerprint: both are the C's, including the rules that fall
//! through to the three-token stage without changing anything.

use super::keywords::lookup;
use super::token::{kind, Token, TokenSlots, MAX_TOKENS, VALUE_CAPACITY};
use super::tokenizer::Tokenizer;

/// Bare words and variables that are functions when followed by `(`.
const FUNCTIONS_WHEN_CALLED: [&[u8]; 11] = [
    b"USER_ID",
    b"USER_NAME",
    b"DATABASE",
    b"PASSWORD",
    b"USER",
    b"CURRENT_USER",
    b"CURRENT_DATE",
    b"CURRENT_TIME",
    b"CURRENT_TIMESTAMP",
    b"LOCALTIME",
    b"LOCALTIMESTAMP",
];

/// Folds the input into `slots` and returns how many of them make the fingerprint.
pub(super) fn fold(tokenizer: &mut Tokenizer<'_>, slots: &mut TokenSlots) -> usize {
    use kind::*;

    // Leading comments, `(`, SQL types and unary operators say nothing: skip them.
    let more = loop {
        let more = tokenizer.next_token(slots.slot(0));
        let first = slots.get(0);
        let skippable =
            matches!(first.kind, COMMENT | LEFT_PARENS | SQL_TYPE) || first.is_unary_operator();
        if !skippable {
            break more;
        }
    };
    if !more {
        return 0;
    }
    let mut left: usize = 0;
    let mut next: usize = 1;
    let mut stream = StreamState {
        more,
        last_comment: Token::EMPTY,
    };

    loop {
        if next >= MAX_TOKENS && five_token_special_case(slots) {
            if next > MAX_TOKENS {
                slots.copy(1, MAX_TOKENS);
                next = 2;
            } else {
                next = 1;
            }
            left = 0;
        }

        if !stream.more || left >= MAX_TOKENS {
            left = next;
            break;
        }

        fill(tokenizer, slots, &mut stream, &mut next, left, 2);
        if next.saturating_sub(left) < 2 {
            left = next;
            continue;
        }

        let a = *slots.get(left);
        let b = *slots.get(left + 1);
        if (a.kind == STRING && b.kind == STRING) || (a.kind == SEMICOLON && b.kind == SEMICOLON) {
            next -= 1;
            continue;
        } else if matches!(a.kind, OPERATOR | LOGIC_OPERATOR)
            && (b.is_unary_operator() || b.kind == SQL_TYPE)
        {
            next -= 1;
            left = 0;
            continue;
        } else if (a.kind == LEFT_PARENS && b.is_unary_operator())
            || merge_words(slots.slot(left), &b)
        {
            next -= 1;
            left = left.saturating_sub(1);
            continue;
        } else if a.kind == SEMICOLON
            && b.kind == FUNCTION
            && matches!(b.value(), [b'I' | b'i', b'F' | b'f', ..])
        {
            // `; IF` starts a Transact-SQL statement: IF is not a function there.
            slots.set_kind(left + 1, TSQL);
            continue;
        } else if matches!(a.kind, BAREWORD | VARIABLE)
            && b.kind == LEFT_PARENS
            && FUNCTIONS_WHEN_CALLED.iter().any(|name| a.value_is(name))
        {
            slots.set_kind(left, FUNCTION);
            continue;
        } else if a.kind == KEYWORD && (a.value_is(b"IN") || a.value_is(b"NOT IN")) {
            // `IN (` compares; a lone IN may still merge, as in "IN BOOLEAN MODE".
            let kind = if b.kind == LEFT_PARENS {
                OPERATOR
            } else {
                BAREWORD
            };
            slots.set_kind(left, kind);
            continue;
        } else if a.kind == OPERATOR && (a.value_is(b"LIKE") || a.value_is(b"NOT LIKE")) {
            if b.kind == LEFT_PARENS {
                slots.set_kind(left, FUNCTION);
            }
        } else if a.kind == SQL_TYPE
            && matches!(
                b.kind,
                BAREWORD | NUMBER | SQL_TYPE | LEFT_PARENS | FUNCTION | VARIABLE | STRING
            )
        {
            slots.copy(left, left + 1);
            next -= 1;
            left = 0;
            continue;
        } else if a.kind == COLLATE && b.kind == BAREWORD {
            // Too many collations to list: one with a `_` is taken as a type. The C's
            // `strchr` stops at a NUL in the text.
            let text = b.value();
            let until_nul = text.split(|&byte| byte == 0).next().unwrap_or(text);
            if until_nul.contains(&b'_') {
                slots.set_kind(left + 1, SQL_TYPE);
                left = 0;
            }
        } else if a.kind == BACKSLASH {
            // Transact-SQL reads `\%1` as `0 % 1` and `\1` as `1`.
            if b.is_arithmetic_operator() {
                slots.set_kind(left, NUMBER);
            } else {
                slots.copy(left, left + 1);
                next -= 1;
            }
            left = 0;
            continue;
        } else if (a.kind == LEFT_PARENS && b.kind == LEFT_PARENS)
            || (a.kind == RIGHT_PARENS && b.kind == RIGHT_PARENS)
        {
            next -= 1;
            left = 0;
            continue;
        } else if a.kind == LEFT_BRACE && b.kind == BAREWORD {
            // MySQL's `{ ``.``.id }` is too odd to parse: an empty name after `{` is evil.
            // Otherwise ODBC's `{name expr}` is read as `expr`.
            if b.len() == 0 {
                slots.set_kind(left + 1, EVIL);
                return left + 2;
            }
            left = 0;
            next -= 2;
            continue;
        } else if b.kind == RIGHT_BRACE {
            next -= 1;
            left = 0;
            continue;
        }

        fill(tokenizer, slots, &mut stream, &mut next, left, 3);
        if next.saturating_sub(left) < 3 {
            left = next;
            continue;
        }

        let a = *slots.get(left);
        let b = *slots.get(left + 1);
        let c = *slots.get(left + 2);
        if three_fold_to_first(&a, &b, &c) {
            next -= 2;
            left = 0;
            continue;
        }
        if three_drop_middle(&a, &b, &c) {
            slots.copy(left + 1, left + 2);
            next -= 1;
            left = 0;
            continue;
        }
        if a.kind == COMMA
            && b.is_unary_operator()
            && matches!(c.kind, NUMBER | BAREWORD | VARIABLE | STRING)
        {
            // ", -1" becomes ",1", then one more step back so that "1,-1" can fold to "1".
            slots.copy(left + 1, left + 2);
            left = 0;
            next = next.saturating_sub(3);
            continue;
        }
        if a.kind == FUNCTION
            && b.kind == LEFT_PARENS
            && c.kind != RIGHT_PARENS
            && a.value_is(b"USER")
        {
            // USER() takes no arguments: with one, USER is a name.
            slots.set_kind(left, BAREWORD);
        }

        left += 1;
    }

    // A comment at the end counts when there is room for it.
    if left < MAX_TOKENS && stream.last_comment.kind == COMMENT {
        *slots.slot(left) = stream.last_comment;
        left += 1;
    }
    left.min(MAX_TOKENS)
}

/// Three tokens that stand for their first: arithmetic ("1+1", "a-b", "@v=1"), chains of
/// operators and of logic, casts ("x::int"), lists ("1,2") and qualified names ("db.table").
fn three_fold_to_first(a: &Token, b: &Token, c: &Token) -> bool {
    use kind::*;
    let value = |kind: u8| matches!(kind, BAREWORD | NUMBER | STRING | VARIABLE);
    (a.kind == NUMBER && b.kind == OPERATOR && c.kind == NUMBER)
        || (a.kind == OPERATOR && b.kind != LEFT_PARENS && c.kind == OPERATOR)
        || (a.kind == LOGIC_OPERATOR && c.kind == LOGIC_OPERATOR)
        || (a.kind == VARIABLE
            && b.kind == OPERATOR
            && matches!(c.kind, VARIABLE | NUMBER | BAREWORD))
        || (matches!(a.kind, BAREWORD | NUMBER)
            && b.kind == OPERATOR
            && matches!(c.kind, NUMBER | BAREWORD))
        || (value(a.kind) && b.kind == OPERATOR && b.value() == b"::" && c.kind == SQL_TYPE)
        || (value(a.kind) && b.kind == COMMA && value(c.kind))
        || (a.kind == BAREWORD && b.kind == DOT && c.kind == BAREWORD)
}

/// Three tokens whose middle one says nothing: a unary operator after a keyword, a comma or
/// before a call ("SELECT -1", ", -sin(1)", "LIMIT +("), or the dot of "SELECT .`a`".
fn three_drop_middle(a: &Token, b: &Token, c: &Token) -> bool {
    use kind::*;
    (matches!(a.kind, EXPRESSION | GROUP | COMMA) && b.is_unary_operator() && c.kind == LEFT_PARENS)
        || (matches!(a.kind, KEYWORD | EXPRESSION | GROUP)
            && b.is_unary_operator()
            && matches!(c.kind, NUMBER | BAREWORD | VARIABLE | STRING | FUNCTION))
        || (a.kind == COMMA && b.is_unary_operator() && c.kind == FUNCTION)
        || (a.kind == EXPRESSION && b.kind == DOT && c.kind == BAREWORD)
}

/// What the folder knows of the token stream besides the slots.
struct StreamState {
    /// Whether the tokenizer may have more tokens.
    more: bool,
    /// The last comment read, forgotten when a token follows it.
    last_comment: Token,
}

/// Reads tokens into the slots from `next` on until `want` are open after `left` or the
/// input ends; comments are remembered rather than kept.
fn fill(
    tokenizer: &mut Tokenizer<'_>,
    slots: &mut TokenSlots,
    stream: &mut StreamState,
    next: &mut usize,
    left: usize,
    want: usize,
) {
    while stream.more && *next <= MAX_TOKENS && next.saturating_sub(left) < want {
        stream.more = tokenizer.next_token(slots.slot(*next));
        if stream.more {
            if slots.kind(*next) == kind::COMMENT {
                stream.last_comment = *slots.get(*next);
            } else {
                stream.last_comment.kind = kind::NONE;
                *next += 1;
            }
        }
    }
}

/// Five-token shapes that fold further once the whole window is seen, such as
/// "1,(2)" or "a-(b)".
fn five_token_special_case(slots: &TokenSlots) -> bool {
    use kind::*;
    let kinds = [
        slots.kind(0),
        slots.kind(1),
        slots.kind(2),
        slots.kind(3),
        slots.kind(4),
    ];
    matches!(
        kinds,
        [NUMBER, OPERATOR | COMMA, LEFT_PARENS, NUMBER, RIGHT_PARENS]
            | [
                BAREWORD,
                OPERATOR,
                LEFT_PARENS,
                BAREWORD | NUMBER,
                RIGHT_PARENS
            ]
            | [NUMBER, RIGHT_PARENS, COMMA, LEFT_PARENS, NUMBER]
            | [BAREWORD, RIGHT_PARENS, OPERATOR, LEFT_PARENS, BAREWORD]
    )
}

/// Two words that make a known phrase ("UNION" "ALL", "NOT" "IN") become one token.
fn merge_words(first: &mut Token, second: &Token) -> bool {
    use kind::*;
    let mergeable = |kind: u8| {
        matches!(
            kind,
            KEYWORD | BAREWORD | OPERATOR | UNION | FUNCTION | EXPRESSION | TSQL | SQL_TYPE
        )
    };
    if !mergeable(first.kind) || !(mergeable(second.kind) || second.kind == LOGIC_OPERATOR) {
        return false;
    }
    let merged_len = first.len() + second.len() + 1;
    if merged_len > VALUE_CAPACITY {
        return false;
    }
    let mut phrase = [0u8; VALUE_CAPACITY];
    let Some(phrase) = phrase.get_mut(..merged_len) else {
        return false;
    };
    let (head, tail) = phrase.split_at_mut(first.len());
    head.copy_from_slice(first.value());
    if let Some((space, rest)) = tail.split_first_mut() {
        *space = b' ';
        rest.copy_from_slice(second.value());
    }
    let found = lookup(phrase);
    if found == NONE {
        return false;
    }
    first.assign(found, phrase);
    true
}
