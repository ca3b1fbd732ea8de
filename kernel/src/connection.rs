//! Reading the connection file Jupyter hands a kernel.

use std::path::Path;

use jupyter_protocol::ConnectionInfo;

use crate::KernelError;

/// Reads and checks a connection file: JSON with the five ports, the key and
/// `hmac-sha256` signatures (or an empty key, which disables signing).
///
/// ```
/// let dir = std::env::temp_dir().join(format!("cl-conn-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("kernel.json");
/// std::fs::write(&path, r#"{"ip": "127.0.0.1", "transport": "tcp", "shell_port": 1,
///   "iopub_port": 2, "stdin_port": 3, "control_port": 4, "hb_port": 5,
///   "key": "k", "signature_scheme": "hmac-sha256"}"#).unwrap();
/// let info = cloudlab_kernel::read_connection_file(&path).unwrap();
/// assert_eq!(info.shell_port, 1);
/// ```
pub fn read_connection_file(path: &Path) -> Result<ConnectionInfo, KernelError> {
    let text = std::fs::read_to_string(path).map_err(|source| KernelError::ConnectionFileRead {
        path: path.to_path_buf(),
        source,
    })?;
    parse_connection_info(path, &text)
}

fn parse_connection_info(path: &Path, text: &str) -> Result<ConnectionInfo, KernelError> {
    let info: ConnectionInfo =
        serde_json::from_str(text).map_err(|source| KernelError::ConnectionFileParse {
            path: path.to_path_buf(),
            source,
        })?;
    let unusable = |message: String| KernelError::ConnectionFileUnusable {
        path: path.to_path_buf(),
        message,
    };
    if !info.key.is_empty() && info.signature_scheme != "hmac-sha256" {
        return Err(unusable(format!(
            "signature scheme `{}` is not supported (use hmac-sha256)",
            info.signature_scheme
        )));
    }
    let ports = [
        info.shell_port,
        info.iopub_port,
        info.stdin_port,
        info.control_port,
        info.hb_port,
    ];
    if ports.contains(&0) {
        return Err(unusable("every port must be set (0 found)".into()));
    }
    Ok(info)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{"ip": "127.0.0.1", "transport": "tcp", "shell_port": 5001,
        "iopub_port": 5002, "stdin_port": 5003, "control_port": 5004, "hb_port": 5005,
        "key": "secret", "signature_scheme": "hmac-sha256", "kernel_name": "cloudlab"}"#;

    fn parse(text: &str) -> Result<ConnectionInfo, KernelError> {
        parse_connection_info(Path::new("conn.json"), text)
    }

    #[test]
    fn reads_a_jupyter_connection_file() {
        let info = parse(GOOD).unwrap();
        assert_eq!(info.shell_port, 5001);
        assert_eq!(info.key, "secret");
        assert_eq!(info.shell_url(), "tcp://127.0.0.1:5001");
    }

    #[test]
    fn malformed_json_names_the_file() {
        let err = parse("{not json").unwrap_err();
        assert!(matches!(err, KernelError::ConnectionFileParse { .. }));
        assert!(err.to_string().contains("conn.json"), "{err}");
    }

    #[test]
    fn missing_port_is_a_parse_error() {
        let err = parse(r#"{"ip": "127.0.0.1", "transport": "tcp", "key": ""}"#).unwrap_err();
        assert!(err.to_string().contains("shell_port"), "{err}");
    }

    #[test]
    fn other_signature_schemes_are_refused() {
        let text = GOOD.replace("hmac-sha256", "hmac-md5");
        let err = parse(&text).unwrap_err();
        assert!(err.to_string().contains("hmac-md5"), "{err}");
    }

    #[test]
    fn zero_ports_are_refused() {
        let text = GOOD.replace("5003", "0");
        assert!(matches!(
            parse(&text).unwrap_err(),
            KernelError::ConnectionFileUnusable { .. }
        ));
    }

    #[test]
    fn unreadable_file_is_reported() {
        let err = read_connection_file(Path::new("/nonexistent/conn.json")).unwrap_err();
        assert!(matches!(err, KernelError::ConnectionFileRead { .. }));
    }
}
