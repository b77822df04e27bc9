//! [`ObjectStore`] for [`Bucket`]: the S3 backend.

use bytes::Bytes;
use futures::future::BoxFuture;
use futures::stream::BoxStream;

use super::bucket::{Bucket, PutOptions};
use super::error::Result;
use super::list::ListOptions;
use super::object_store::{ObjectMeta, ObjectStore, PutMode};

impl ObjectStore for Bucket {
    fn put<'a>(
        &'a self,
        key: &'a str,
        body: Bytes,
        mode: PutMode,
    ) -> BoxFuture<'a, Result<ObjectMeta>> {
        Box::pin(async move { Bucket::put(self, key, body, &PutOptions::new().mode(mode)).await })
    }

    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Bytes>> {
        Box::pin(Bucket::get(self, key))
    }

    fn head<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<ObjectMeta>> {
        Box::pin(async move { Ok(Bucket::head(self, key).await?.meta) })
    }

    fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<()>> {
        Box::pin(Bucket::delete(self, key))
    }

    fn list<'a>(&'a self, prefix: &'a str) -> BoxStream<'a, Result<ObjectMeta>> {
        self.list_objects(ListOptions::new().prefix(prefix))
    }

    fn copy<'a>(&'a self, from: &'a str, to: &'a str) -> BoxFuture<'a, Result<ObjectMeta>> {
        Box::pin(Bucket::copy(self, from, to))
    }
}
