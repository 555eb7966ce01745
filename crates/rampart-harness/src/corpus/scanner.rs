//! Scanner signatures: user agents of common scanners, the paths they probe, the headers
//! some of them add.

use super::attacks::base_headers;
use super::text::HOSTS;
use super::{Collector, Family, Req, Rng};

const SCANNER_AGENTS: &[&str] = &[
    "sqlmap/1.8.2#stable (https://sqlmap.org)",
    "sqlmap/1.7.11#pip (http://sqlmap.org)",
    "Mozilla/5.00 (Nikto/2.5.0) (Evasions:None) (Test:004521)",
    "Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)",
    "WPScan v3.8.25 (https://wpscan.com/wordpress-security-scanner)",
    "Nuclei - Open-source project (github.com/projectdiscovery/nuclei)",
    "gobuster/3.6",
    "Fuzz Faster U Fool v2.1.0-dev",
    "masscan/1.3 (https://github.com/robertdavidgraham/masscan)",
    "Wfuzz/3.1.0",
    "DirBuster-1.0-RC1 (http://www.owasp.org/index.php/Category:OWASP_DirBuster_Project)",
    "Mozilla/5.0 [en] (X11, U; OpenVAS-VT 22.4.1)",
    "Arachni/v1.6.1.3",
    "commix/v3.9-stable (https://commixproject.com)",
    "Havij",
    "Mozilla/5.0 zgrab/0.x",
    "WhatWeb/0.5.5",
    "Mozilla/5.0 (compatible; Netsparker)",
    "w3af.org",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Nessus",
    "Jorgee",
    "ZmEu",
    "struts-pwn (https://github.com/mazen160/struts-pwn)",
    "Grendel-Scan/1.0",
    "sqlninja 0.2.6",
    "Paros/3.2.13",
    "Vega/1.0",
    "dotdotpwn v3.0.2",
    "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1; Hydra)",
    "Detectify",
    "BFAC (Backup File Artifacts Checker)",
    "Mozilla/5.0 (compatible; Qualys WAS)",
];

const PROBE_PATHS: &[&str] = &[
    "/.git/HEAD",
    "/.git/config",
    "/.env",
    "/.env.production",
    "/wp-login.php",
    "/wp-admin/install.php",
    "/wp-config.php.bak",
    "/phpmyadmin/index.php",
    "/pma/scripts/setup.php",
    "/server-status",
    "/actuator/env",
    "/actuator/heapdump",
    "/cgi-bin/test-cgi",
    "/.DS_Store",
    "/backup.zip",
    "/db.sql",
    "/dump.sql.gz",
    "/config.php.bak",
    "/config.inc.php~",
    "/.svn/entries",
    "/HNAP1/",
    "/boaform/admin/formLogin",
    "/console/login/LoginForm.jsp",
    "/manager/html",
    "/solr/admin/info/system",
    "/_ignition/execute-solution",
    "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php",
    "/xmlrpc.php",
    "/owa/auth/logon.aspx",
    "/.aws/credentials",
    "/telescope/requests",
    "/debug/pprof/",
    "/jmx-console/",
    "/invoker/JMXInvokerServlet",
    "/web.config",
    "/WEB-INF/web.xml",
    "/admin/.htpasswd",
    "/index.php.swp",
    "/id_rsa",
    "/.bash_history",
    "/error.log",
    "/site.tar.gz",
];

/// Headers scanners announce themselves with (the products' own names, values made up).
const SCANNER_HEADERS: &[(&str, &str)] = &[
    ("Acunetix-Product", "WVS/13.0 (Acunetix Premium)"),
    ("Acunetix-Aspect", "enabled"),
    ("X-Scanner", "Netsparker Enterprise"),
    ("X-Wipp", "AscVersion=22.1.0"),
    ("X-Burp-Collaborator", "abc123.oastify.example"),
];

pub(crate) fn family() -> Family {
    let mut rng = Rng::new("scanner");
    let mut out = Collector::new("scanner", true);
    let mut step = 0usize;
    while out.len() < 100 {
        step += 1;
        let host = *rng.pick(&HOSTS[..10]);
        let kind = *rng.weighted(&[(40, "ua"), (30, "path"), (10, "header"), (20, "combo")]);
        let path = match kind {
            "path" | "combo" => PROBE_PATHS[step % PROBE_PATHS.len()].to_string(),
            _ => (*rng.pick(&[
                "/",
                "/index.php",
                "/login",
                "/search?q=test",
                "/robots.txt",
                "/api/v1/users?id=1",
                "/?id=1",
            ]))
            .to_string(),
        };
        let mut req = Req::new(if rng.chance(85) { "GET" } else { "HEAD" }, path);
        match kind {
            "ua" | "combo" => {
                let agent = SCANNER_AGENTS[step % SCANNER_AGENTS.len()];
                req.header("Host", host)
                    .header("User-Agent", agent)
                    .header("Accept", "*/*");
                if rng.chance(50) {
                    req.header("Connection", "close");
                }
            }
            "path" => {
                req.headers(base_headers(&mut rng, host, false));
            }
            _ => {
                req.headers(base_headers(&mut rng, host, false));
                let (name, value) = *rng.pick(SCANNER_HEADERS);
                req.header(name, value);
            }
        }
        out.add_req(kind, &req);
    }
    out.finish()
}
