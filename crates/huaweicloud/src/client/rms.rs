//! Config/RMS: finding the account's Flexus L instances (ListAllResources).

use std::collections::HashSet;

use http::Method;

use super::retry::Repeat;
use super::transport::Op;
use super::{Account, Pages, Reply};
use crate::endpoints::Service;
use crate::error::Error;
use crate::model::rms::{ListAllResourcesQuery, ListAllResourcesResponse, ResourceEntity};
use crate::region::Region;
use crate::signing::encode_path_param;
use crate::validate::FieldErrors;

/// RMS's largest page.
pub const RMS_MAX_LIMIT: u32 = 200;

/// Most `tags` filters one ListAllResources call may carry.
pub const RMS_MAX_TAG_FILTERS: usize = 5;

impl Account {
    /// One page of Flexus L instances (`type=hcss.l-instance`), in `region` or in all
    /// regions. `limit` is 1–200; `marker` is the previous page's `page_info.next_marker`.
    pub async fn list_l_instances_page(
        &self,
        region: Option<Region>,
        limit: u32,
        marker: Option<&str>,
    ) -> Result<Reply<ListAllResourcesResponse>, Error> {
        self.list_page(region, &[], limit, marker).await
    }

    async fn list_page(
        &self,
        region: Option<Region>,
        tags: &[String],
        limit: u32,
        marker: Option<&str>,
    ) -> Result<Reply<ListAllResourcesResponse>, Error> {
        let mut errors = FieldErrors::default();
        if !(1..=RMS_MAX_LIMIT).contains(&limit) {
            errors.push("limit", format!("must be 1 to {RMS_MAX_LIMIT}, got {limit}"));
        }
        if tags.len() > RMS_MAX_TAG_FILTERS {
            errors.push(
                "tags",
                format!("at most {RMS_MAX_TAG_FILTERS} tag filters, got {}", tags.len()),
            );
        }
        if tags.iter().any(|t| t.is_empty()) {
            errors.push("tags", "a tag filter must be `key` or `key=value`, not empty");
        }
        errors.into_result()?;
        let mut query = ListAllResourcesQuery::flexus_l(region.map(Region::id));
        query.limit = Some(limit);
        query.marker = marker.map(str::to_owned);
        query.tags = tags.to_vec();
        let (domain, auth) = self.domain_auth().await?;
        let op = Op {
            service: Service::Rms,
            operation: "list_all_resources",
            region,
            method: Method::GET,
            path: format!(
                "/v1/resource-manager/domains/{}/all-resources",
                encode_path_param(domain.as_str())
            ),
            query: query.query_pairs().into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
            content_type: "application/json",
            headers: Vec::new(),
            body: Vec::new(),
            repeat: Repeat::Safe,
        };
        self.call(&op, &auth).await
    }

    /// Every Flexus L instance, walking the pages until `next_marker` is null. A server
    /// that hands out a marker twice would make this loop forever, so that is an error.
    pub async fn list_l_instances(
        &self,
        region: Option<Region>,
    ) -> Result<Pages<ResourceEntity>, Error> {
        self.list_all(region, &[]).await
    }

    /// Every Flexus L instance carrying all of `tags` (each `key` or `key=value`, at most
    /// five), e.g. `Tag::purchase(id).filter()`: how a purchase whose answer never came is
    /// found once its order has created the instances.
    pub async fn list_l_instances_tagged(
        &self,
        region: Option<Region>,
        tags: &[String],
    ) -> Result<Pages<ResourceEntity>, Error> {
        if tags.is_empty() {
            let mut errors = FieldErrors::default();
            errors.push("tags", "name at least one tag to filter by");
            return Err(errors.into());
        }
        self.list_all(region, tags).await
    }

    async fn list_all(
        &self,
        region: Option<Region>,
        tags: &[String],
    ) -> Result<Pages<ResourceEntity>, Error> {
        let mut pages = Pages { items: Vec::new(), request_ids: Vec::new() };
        let mut seen = HashSet::new();
        let mut marker: Option<String> = None;
        loop {
            let reply = self.list_page(region, tags, RMS_MAX_LIMIT, marker.as_deref()).await?;
            pages.request_ids.push(reply.request_id.clone());
            pages.items.extend(reply.body.resources);
            match reply.body.page_info.next_marker.filter(|m| !m.is_empty()) {
                None => return Ok(pages),
                Some(next) if !seen.insert(next.clone()) => {
                    return Err(Error::InvalidResponse {
                        service: Service::Rms,
                        operation: "list_all_resources",
                        status: reply.status,
                        request_id: reply.request_id,
                        detail:
                            "the same page marker came back twice; stopped to avoid looping forever"
                                .to_owned(),
                    });
                }
                Some(next) => marker = Some(next),
            }
        }
    }
}
