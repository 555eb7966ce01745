//! WAF phases. (Being written.)
