//! Terminal input that never holds up shutdown. Tokio's own `stdin()` reads on a blocking-pool
//! thread that cannot be cancelled, so the runtime's shutdown waits until someone presses Enter;
//! here a dedicated, detached thread does the blocking reads and hands lines over a channel.

use std::io::BufRead;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncBufRead, AsyncRead, ReadBuf};
use tokio::sync::mpsc;

/// Lines read by a background thread, as an async reader. EOF when the source ends or fails.
#[derive(Debug)]
pub struct BlockingReader {
    lines: mpsc::Receiver<Vec<u8>>,
    current: Vec<u8>,
    pos: usize,
}

/// The process's standard input, for [`ConsoleRoom::run`](super::ConsoleRoom::run).
pub fn stdin() -> std::io::Result<BlockingReader> {
    spawn_reader(std::io::stdin())
}

/// Reads `source` line by line on a new thread. The thread ends at EOF, on a read error, or when
/// the reader is dropped and it next has a line to hand over.
pub fn spawn_reader(
    source: impl std::io::Read + Send + 'static,
) -> std::io::Result<BlockingReader> {
    let (tx, lines) = mpsc::channel(16);
    std::thread::Builder::new()
        .name("firebell-console-input".to_owned())
        .spawn(move || {
            let mut source = std::io::BufReader::new(source);
            loop {
                let mut line = Vec::new();
                match source.read_until(b'\n', &mut line) {
                    Ok(0) => return,
                    Ok(_) => {
                        if tx.blocking_send(line).is_err() {
                            return;
                        }
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => {
                        tracing::warn!(error = %e, "console input failed; no longer reading it");
                        return;
                    }
                }
            }
        })?;
    Ok(BlockingReader {
        lines,
        current: Vec::new(),
        pos: 0,
    })
}

impl AsyncBufRead for BlockingReader {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<&[u8]>> {
        let this = self.get_mut();
        while this.pos >= this.current.len() {
            match ready!(this.lines.poll_recv(cx)) {
                Some(line) => {
                    this.current = line;
                    this.pos = 0;
                }
                None => return Poll::Ready(Ok(&[])),
            }
        }
        Poll::Ready(Ok(&this.current[this.pos..]))
    }

    fn consume(self: Pin<&mut Self>, amt: usize) {
        let this = self.get_mut();
        this.pos = (this.pos + amt).min(this.current.len());
    }
}

impl AsyncRead for BlockingReader {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let available = ready!(self.as_mut().poll_fill_buf(cx))?;
        let n = available.len().min(buf.remaining());
        buf.put_slice(&available[..n]);
        self.consume(n);
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncBufReadExt, AsyncReadExt};

    use super::*;

    #[tokio::test]
    async fn lines_from_a_blocking_source_arrive_in_order_then_eof() {
        let mut r = spawn_reader(std::io::Cursor::new(
            b"ack 1\nresolve 1 done\nlast".to_vec(),
        ))
        .unwrap();
        let mut line = String::new();
        r.read_line(&mut line).await.unwrap();
        assert_eq!(line, "ack 1\n");
        let mut rest = String::new();
        r.read_to_string(&mut rest).await.unwrap();
        assert_eq!(rest, "resolve 1 done\nlast");
        assert_eq!(r.read_line(&mut line).await.unwrap(), 0, "EOF stays EOF");
    }
}
