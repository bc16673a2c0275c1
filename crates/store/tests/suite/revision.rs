//! The revision counter read by every request (`Store::revision_now`): callers that arrive together share
//! one read, and still each sees every commit made before it asked.

use jiqun_store::{Store, testing};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_shared_read_of_the_revision_still_sees_every_commit_made_before_the_call() {
    for url in testing::urls().await {
        let s = Store::open(&url).await.unwrap_or_else(|e| panic!("{url}: {e}"));
        let mut tasks = Vec::new();
        for writer in 0..6 {
            let s = s.clone();
            tasks.push(tokio::spawn(async move {
                for _ in 0..40 {
                    // A write moves the counter; what it moved it to is read inside the transaction.
                    let mut tx = s.begin().await.unwrap();
                    let mine: i64 =
                        sqlx::query_scalar("SELECT n FROM revision WHERE id = 1").fetch_one(&mut *tx).await.unwrap();
                    s.commit(tx).await.unwrap();
                    let seen = s.revision_now().await.unwrap().all;
                    assert!(seen >= mine, "writer {writer}: read {seen} after committing {mine}");
                }
            }));
        }
        // Readers alone, many at once, between the writes.
        for _ in 0..10 {
            let s = s.clone();
            tasks.push(tokio::spawn(async move {
                let mut last = 0;
                for _ in 0..200 {
                    let seen = s.revision_now().await.unwrap().all;
                    assert!(seen >= last, "the revision went back from {last} to {seen}");
                    last = seen;
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        let end: i64 = sqlx::query_scalar("SELECT n FROM revision WHERE id = 1").fetch_one(s.pool()).await.unwrap();
        assert_eq!(s.revision_now().await.unwrap().all, end, "{url}");
    }
}

/// Polls a future once, as a runtime would before its caller goes away: its output if that finished it.
async fn poll_once<F: std::future::Future + Unpin>(f: &mut F) -> Option<F::Output> {
    std::future::poll_fn(|cx| {
        std::task::Poll::Ready(match std::pin::Pin::new(&mut *f).poll(cx) {
            std::task::Poll::Ready(v) => Some(v),
            std::task::Poll::Pending => None,
        })
    })
    .await
}

#[tokio::test]
async fn a_read_abandoned_by_its_caller_does_not_leave_the_others_waiting() {
    for url in testing::urls().await {
        let s = Store::open(&url).await.unwrap_or_else(|e| panic!("{url}: {e}"));
        for rounds in 1..4 {
            // The first caller starts the read; the second waits for it; the first goes away mid-read.
            let mut first = Box::pin(s.revision_now());
            let mut done = false;
            for _ in 0..rounds {
                if !done {
                    done = poll_once(&mut first).await.is_some();
                }
            }
            let mut second = Box::pin(s.revision_now());
            let early = poll_once(&mut second).await;
            drop(first);
            let v = match early {
                // A read of its own may finish at the first poll (when the first caller's had ended).
                Some(v) => Ok(v),
                None => tokio::time::timeout(std::time::Duration::from_secs(30), second).await,
            };
            assert!(matches!(v, Ok(Ok(_))), "{url}: the waiter after round {rounds} (first done: {done}): {v:?}");
        }
    }
}

/// Writers that wait for their turn do not hold the pool's connections meanwhile: with one write
/// transaction open and more writers waiting than the pool has connections, a reader is still answered, and
/// once the first commits every waiting writer goes through. (Before writers took turns in the process,
/// each waited inside SQLite's busy handler holding a connection, and the reader waited for the busy
/// timeout.) The bound below is a liveness bound, far above any normal answer, not a measure of speed.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn writers_waiting_their_turn_leave_connections_to_readers() {
    for url in testing::urls().await {
        let s = Store::open(&url).await.unwrap_or_else(|e| panic!("{url}: {e}"));
        let first = s.begin().await.unwrap();
        let mut writers = Vec::new();
        for _ in 0..12 {
            let s = s.clone();
            writers.push(tokio::spawn(async move {
                let tx = s.begin().await?;
                s.commit(tx).await
            }));
        }
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let read = tokio::time::timeout(std::time::Duration::from_secs(5), s.ping()).await;
        assert!(matches!(read, Ok(Ok(()))), "{url}: a reader beside waiting writers: {read:?}");
        s.commit(first).await.unwrap();
        for w in writers {
            w.await.unwrap().unwrap_or_else(|e| panic!("{url}: a waiting writer: {e}"));
        }
    }
}
