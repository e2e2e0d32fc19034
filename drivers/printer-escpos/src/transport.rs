//! How bytes reach the printer: a serial port, a USB printer class device file
//! (`/dev/usb/lp0`, read and written as a plain file), or a TCP socket (port 9100).

use std::fs::{File, OpenOptions};
use std::io::{self, ErrorKind, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::os::unix::fs::OpenOptionsExt;
use std::time::{Duration, Instant};

/// Where the printer is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransportConfig {
    Serial {
        path: String,
        baud: u32,
    },
    /// A USB printer class device (`/dev/usb/lp0`).
    DeviceFile {
        path: String,
    },
    /// `host:port`, usually port 9100.
    Tcp {
        addr: String,
    },
}

impl TransportConfig {
    pub fn describe(&self) -> String {
        match self {
            TransportConfig::Serial { path, baud } => format!("serial {path} at {baud} baud"),
            TransportConfig::DeviceFile { path } => format!("device file {path}"),
            TransportConfig::Tcp { addr } => format!("tcp {addr}"),
        }
    }

    /// Opens the connection; writes give up after `write_timeout`.
    pub fn open(&self, write_timeout: Duration) -> io::Result<Box<dyn Transport>> {
        Ok(match self {
            TransportConfig::Serial { path, baud } => {
                let port = serialport::new(path, *baud)
                    .timeout(write_timeout)
                    .open()
                    .map_err(io::Error::from)?;
                Box::new(SerialTransport {
                    port,
                    write_timeout,
                    baud: *baud,
                })
            }
            TransportConfig::DeviceFile { path } => {
                let file = OpenOptions::new()
                    .read(true)
                    .write(true)
                    .custom_flags(libc::O_NONBLOCK)
                    .open(path)?;
                Box::new(FileTransport {
                    file,
                    write_timeout,
                })
            }
            TransportConfig::Tcp { addr } => {
                let sock = addr.to_socket_addrs()?.next().ok_or_else(|| {
                    io::Error::new(ErrorKind::NotFound, "address resolves to nothing")
                })?;
                let stream = TcpStream::connect_timeout(&sock, write_timeout)?;
                stream.set_nodelay(true)?;
                stream.set_write_timeout(Some(write_timeout))?;
                Box::new(TcpTransport { stream })
            }
        })
    }
}

/// A byte pipe to the printer.
pub trait Transport: Send {
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()>;
    /// What arrives within `timeout` (`Ok(0)` when nothing did).
    fn read_some(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize>;
    /// Waits until everything written has left for the printer (`tcdrain` on a serial line;
    /// nothing to wait for on a socket or a device file, whose kernel buffers the printer
    /// empties itself).
    fn drain(&mut self) -> io::Result<()> {
        Ok(())
    }
    /// How long `bytes` take on the line: what a status request sent behind them waits before
    /// the printer even sees it (10 bits a byte on a serial line; zero where the link is fast).
    fn wire_time(&self, _bytes: usize) -> Duration {
        Duration::ZERO
    }
    /// Drops whatever is waiting to be read.
    fn discard_input(&mut self) {
        let mut buf = [0u8; 64];
        while matches!(self.read_some(&mut buf, Duration::ZERO), Ok(n) if n > 0) {}
    }
}

fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        ErrorKind::TimedOut | ErrorKind::WouldBlock | ErrorKind::Interrupted
    )
}

struct SerialTransport {
    port: Box<dyn serialport::SerialPort>,
    write_timeout: Duration,
    baud: u32,
}

/// How long `bytes` take at `baud`: start bit, 8 data bits, stop bit.
pub fn serial_wire_time(bytes: usize, baud: u32) -> Duration {
    Duration::from_secs_f64(bytes as f64 * 10.0 / f64::from(baud.max(1)))
}

impl Transport for SerialTransport {
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        let _ = self.port.set_timeout(self.write_timeout);
        self.port.write_all(bytes)
    }

    fn read_some(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize> {
        let _ = self.port.set_timeout(timeout.max(Duration::from_millis(1)));
        match self.port.read(buf) {
            Err(e) if is_timeout(&e) => Ok(0),
            other => other,
        }
    }

    fn drain(&mut self) -> io::Result<()> {
        // serialport's flush is tcdrain(3) on the port's descriptor, retried on EINTR up to
        // the port's timeout: give it the time the bytes may still need.
        let _ = self.port.set_timeout(self.write_timeout);
        self.port.flush()
    }

    fn wire_time(&self, bytes: usize) -> Duration {
        serial_wire_time(bytes, self.baud)
    }

    fn discard_input(&mut self) {
        let _ = self.port.clear(serialport::ClearBuffer::Input);
    }
}

/// A device file opened non-blocking, so that a status read never hangs the booth.
struct FileTransport {
    file: File,
    write_timeout: Duration,
}

impl Transport for FileTransport {
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        let give_up = Instant::now() + self.write_timeout;
        let mut rest = bytes;
        while !rest.is_empty() {
            match self.file.write(rest) {
                Ok(0) => return Err(io::Error::new(ErrorKind::WriteZero, "printer took nothing")),
                Ok(n) => rest = &rest[n..],
                Err(e) if is_timeout(&e) && Instant::now() < give_up => {
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    fn read_some(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize> {
        let give_up = Instant::now() + timeout;
        loop {
            match self.file.read(buf) {
                Ok(n) if n > 0 => return Ok(n),
                Ok(_) => {}
                Err(e) if is_timeout(&e) => {}
                Err(e) => return Err(e),
            }
            if Instant::now() >= give_up {
                return Ok(0);
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

struct TcpTransport {
    stream: TcpStream,
}

impl Transport for TcpTransport {
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.stream.write_all(bytes)
    }

    fn read_some(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize> {
        self.stream
            .set_read_timeout(Some(timeout.max(Duration::from_millis(1))))?;
        match self.stream.read(buf) {
            Ok(0) => Err(io::Error::new(
                ErrorKind::ConnectionAborted,
                "printer closed the connection",
            )),
            Err(e) if is_timeout(&e) => Ok(0),
            other => other,
        }
    }
}
