//! Pool overhead, no network: a no-op connection type.
//!
//! `cargo bench -p boltline-pool --bench pool`

#![allow(missing_docs)]

use std::time::{Duration, Instant};

use boltline_pool::{Health, ManageConnection, Pool, PoolConfig};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

struct Noop;

impl ManageConnection for Noop {
    type Connection = u64;
    type Error = std::io::Error;
    type Context = ();
    async fn connect(&self, _: &()) -> Result<u64, Self::Error> {
        Ok(0)
    }
    fn health(&self, _: &u64) -> Health {
        Health::Clean
    }
    async fn reset(&self, _: &mut u64) -> Result<(), Self::Error> {
        Ok(())
    }
    async fn check_alive(&self, _: &mut u64) -> Result<(), Self::Error> {
        Ok(())
    }
    async fn close(&self, _: u64) {}
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let pool = rt.block_on(async {
        Pool::new(Noop, PoolConfig::default().max_size(8).init_size(1))
            .await
            .expect("pool")
    });

    let mut g = c.benchmark_group("pool");
    g.throughput(Throughput::Elements(1));
    g.bench_function("uncontended_acquire_release", |b| {
        b.to_async(&rt).iter(|| async {
            let mut conn = pool.acquire().await.expect("acquire");
            *conn += 1;
        })
    });

    // 64 tasks sharing 8 connections on a 2-worker runtime; each task
    // acquires, yields once while holding (as a query would), releases.
    let mt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    const TASKS: u64 = 64;
    const ROUNDS: u64 = 200;
    g.throughput(Throughput::Elements(TASKS * ROUNDS));
    g.bench_function("64_tasks_8_connections", |b| {
        b.to_async(&mt).iter_custom(|iters| {
            let pool = pool.clone();
            async move {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let start = Instant::now();
                    let tasks: Vec<_> = (0..TASKS)
                        .map(|_| {
                            let pool = pool.clone();
                            tokio::spawn(async move {
                                for _ in 0..ROUNDS {
                                    let mut c = pool.acquire().await.expect("acquire");
                                    tokio::task::yield_now().await;
                                    *c += 1;
                                }
                            })
                        })
                        .collect();
                    for t in tasks {
                        t.await.expect("task");
                    }
                    total += start.elapsed();
                }
                total
            }
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
