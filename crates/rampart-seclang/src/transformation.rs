//! Transformation names (`t:…`).

use crate::names::named_enum;

named_enum! {
    /// Every transformation ModSecurity v3 knows.
    pub enum Transformation {
        None = "none",
        Base64Decode = "base64Decode",
        Base64DecodeExt = "base64DecodeExt",
        Base64Encode = "base64Encode",
        CmdLine = "cmdLine",
        CompressWhitespace = "compressWhitespace",
        CssDecode = "cssDecode",
        EscapeSeqDecode = "escapeSeqDecode",
        HexDecode = "hexDecode",
        HexEncode = "hexEncode",
        HtmlEntityDecode = "htmlEntityDecode",
        JsDecode = "jsDecode",
        Length = "length",
        Lowercase = "lowercase",
        Md5 = "md5",
        NormalizePath = "normalizePath" | "normalisePath",
        NormalizePathWin = "normalizePathWin" | "normalisePathWin",
        ParityEven7bit = "parityEven7bit",
        ParityOdd7bit = "parityOdd7bit",
        ParityZero7bit = "parityZero7bit",
        PhpArgsNames = "phpArgsNames",
        RemoveComments = "removeComments",
        RemoveCommentsChar = "removeCommentsChar",
        RemoveNulls = "removeNulls",
        RemoveWhitespace = "removeWhitespace",
        ReplaceComments = "replaceComments",
        ReplaceNulls = "replaceNulls",
        Sha1 = "sha1",
        SqlHexDecode = "sqlHexDecode",
        Trim = "trim",
        TrimLeft = "trimLeft",
        TrimRight = "trimRight",
        Uppercase = "uppercase",
        UrlDecode = "urlDecode",
        UrlDecodeUni = "urlDecodeUni",
        UrlEncode = "urlEncode",
        Utf8ToUnicode = "utf8toUnicode",
    }
}
