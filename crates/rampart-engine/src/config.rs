//! Engine settings, folded from the `Sec*` directives in load order (the last one wins).

use rampart_seclang::{AuditEngine, EngineMode, LimitAction, Setting};

use crate::transform::UnicodeMap;

/// The settings a transaction runs under. Defaults are ModSecurity v3's.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    pub rule_engine: EngineMode,
    pub request_body_access: bool,
    pub response_body_access: bool,
    pub request_body_limit: u64,
    pub request_body_no_files_limit: u64,
    /// `SecRequestBodyInMemoryLimit`: how much of a multipart body `REQUEST_BODY` keeps (the
    /// parser sees all of it, streamed).
    pub request_body_in_memory_limit: u64,
    pub request_body_limit_action: LimitAction,
    pub request_body_json_depth_limit: u64,
    pub response_body_limit: u64,
    pub response_body_limit_action: LimitAction,
    /// MIME types whose response bodies are inspected; `None` until set.
    pub response_body_mime_types: Option<Vec<String>>,
    pub arguments_limit: Option<u64>,
    /// `SecUploadFileLimit`: files in one multipart body.
    pub upload_file_limit: u64,
    /// `SecTmpSaveUploadedFiles On` or `SecUploadKeepFiles On|RelevantOnly`: keep uploaded
    /// files' contents for `FILES_TMP_CONTENT` (up to `request_body_in_memory_limit` each).
    pub keep_file_contents: bool,
    pub argument_separator: u8,
    pub cookie_format: u8,
    pub unicode_map: Option<UnicodeMap>,
    pub audit_engine: AuditEngine,
    pub audit_log_parts: String,
    pub audit_log_relevant_status: Option<String>,
    pub component_signature: Vec<String>,
    pub web_app_id: Option<String>,
    pub pcre_match_limit: Option<u64>,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            rule_engine: EngineMode::Off,
            request_body_access: false,
            response_body_access: false,
            request_body_limit: 134_217_728,
            request_body_no_files_limit: 1_048_576,
            request_body_in_memory_limit: 131_072,
            request_body_limit_action: LimitAction::Reject,
            request_body_json_depth_limit: 10_000,
            response_body_limit: 524_288,
            response_body_limit_action: LimitAction::Reject,
            response_body_mime_types: None,
            arguments_limit: None,
            upload_file_limit: 100,
            keep_file_contents: false,
            argument_separator: b'&',
            cookie_format: 0,
            unicode_map: None,
            audit_engine: AuditEngine::Off,
            audit_log_parts: "ABCFHZ".into(),
            audit_log_relevant_status: None,
            component_signature: Vec::new(),
            web_app_id: None,
            pcre_match_limit: None,
        }
    }
}

/// A setting that cannot be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read unicode map {path}: {reason}")]
    UnicodeMap { path: String, reason: String },
}

impl EngineConfig {
    pub fn apply(&mut self, setting: &Setting) -> Result<(), ConfigError> {
        match setting {
            Setting::RuleEngine(mode) => self.rule_engine = *mode,
            Setting::RequestBodyAccess(on) => self.request_body_access = *on,
            Setting::ResponseBodyAccess(on) => self.response_body_access = *on,
            Setting::RequestBodyLimit(n) => self.request_body_limit = *n,
            Setting::RequestBodyNoFilesLimit(n) => self.request_body_no_files_limit = *n,
            Setting::RequestBodyInMemoryLimit(n) => self.request_body_in_memory_limit = *n,
            Setting::RequestBodyLimitAction(a) => self.request_body_limit_action = *a,
            Setting::RequestBodyJsonDepthLimit(n) => self.request_body_json_depth_limit = *n,
            Setting::ResponseBodyLimit(n) => self.response_body_limit = *n,
            Setting::ResponseBodyLimitAction(a) => self.response_body_limit_action = *a,
            Setting::ResponseBodyMimeType(types) => self
                .response_body_mime_types
                .get_or_insert_with(Vec::new)
                .extend(types.iter().map(|t| t.to_ascii_lowercase())),
            Setting::ResponseBodyMimeTypesClear => self.response_body_mime_types = Some(Vec::new()),
            Setting::ArgumentsLimit(n) => self.arguments_limit = Some(*n),
            Setting::UploadFileLimit(n) => self.upload_file_limit = *n,
            Setting::TmpSaveUploadedFiles(on) => self.keep_file_contents = *on,
            Setting::UploadKeepFiles(keep) => {
                self.keep_file_contents = *keep != rampart_seclang::KeepFiles::Off
            }
            Setting::ArgumentSeparator(s) => {
                if let Some(&b) = s.as_bytes().first() {
                    self.argument_separator = b;
                }
            }
            Setting::CookieFormat(f) => self.cookie_format = *f,
            Setting::UnicodeMapFile {
                path, code_page, ..
            } => {
                let text = std::fs::read_to_string(path).map_err(|e| ConfigError::UnicodeMap {
                    path: path.display().to_string(),
                    reason: e.to_string(),
                })?;
                let map =
                    UnicodeMap::parse(&text, code_page.unwrap_or(20127)).map_err(|reason| {
                        ConfigError::UnicodeMap {
                            path: path.display().to_string(),
                            reason,
                        }
                    })?;
                self.unicode_map = Some(map);
            }
            Setting::AuditEngine(e) => self.audit_engine = *e,
            Setting::AuditLogParts(p) => self.audit_log_parts = p.clone(),
            Setting::AuditLogRelevantStatus(s) => self.audit_log_relevant_status = Some(s.clone()),
            Setting::ComponentSignature(s) => self.component_signature.push(s.clone()),
            Setting::WebAppId(s) => self.web_app_id = Some(s.clone()),
            Setting::PcreMatchLimit(n) => self.pcre_match_limit = Some(*n),
            _ => {}
        }
        Ok(())
    }
}
