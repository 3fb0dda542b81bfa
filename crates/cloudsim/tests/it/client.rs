//! The real client (`lightdeck_huaweicloud::client`) against the simulator: every operation
//! Lightdeck uses, with AK/SK and with IAM passwords (tokens).

use crate::common;

use std::sync::Arc;

use common::*;
use lightdeck_cloudsim::Handle;
use lightdeck_huaweicloud::client::{
    Account, ClientConfig, ClientRequestId, HuaweiCloud, RenewOptions, RetryPolicy,
    UnsubscribeOptions,
};
use lightdeck_huaweicloud::endpoints::Endpoints;
use lightdeck_huaweicloud::error::Error;
use lightdeck_huaweicloud::model::bss::{PeriodType, UnsubscribeType};
use lightdeck_huaweicloud::model::ecs::{RebootType, UpdateServerOption};
use lightdeck_huaweicloud::model::hcss::{ImageRef, PurchaseRequest};
use lightdeck_huaweicloud::{
    AkSk, Credentials, IamPassword, InstanceId, JobId, OrderId, PackageId, Region, ServerId,
};
use secrecy::{ExposeSecret, SecretString};
use time::Duration;

fn cloud(h: &Handle) -> HuaweiCloud {
    let clock = h.clock().clone();
    let mut config = ClientConfig::new(Endpoints::single(h.base_url()).unwrap());
    config.clock = Arc::new(move || clock.now());
    config.sleep = Arc::new(|_| Box::pin(async {}));
    config.retry = RetryPolicy { max_attempts: 3, ..RetryPolicy::default() };
    HuaweiCloud::new(config).unwrap()
}

fn aksk_account(h: &Handle, i: usize) -> Account {
    let a = &h.accounts()[i];
    cloud(h).account(Credentials::from_aksk(AkSk::new(a.ak.clone(), a.sk.expose_secret())))
}

fn password_account(h: &Handle, i: usize) -> Account {
    let a = &h.accounts()[i];
    cloud(h).account(Credentials::from_password(IamPassword::new(
        a.name.clone(),
        a.iam_user.clone(),
        a.iam_password.expose_secret(),
    )))
}

#[tokio::test]
async fn discovery_inventory_and_power_actions_with_aksk() {
    let h = start().await;
    let sim = &h.accounts()[0];
    let acct = aksk_account(&h, 0);
    assert_eq!(acct.domain_id().await.unwrap().as_str(), sim.domain_id);
    assert_eq!(
        acct.project_id(Region::CnNorth4).await.unwrap().as_str(),
        sim.projects["cn-north-4"]
    );

    let all = acct.list_l_instances(None).await.unwrap();
    assert_eq!(all.items.len(), 6);
    let north = acct.list_l_instances(Some(Region::CnNorth4)).await.unwrap();
    assert_eq!(north.items.len(), 3);
    let res = north
        .items
        .iter()
        .find(|r| r.instance_status() == Some("RUNNING"))
        .expect("a running instance");
    let server: ServerId = res.server_id().unwrap().parse().unwrap();

    let shown = acct.show_server(Region::CnNorth4, &server).await.unwrap();
    assert_eq!(shown.status, 200);
    assert_eq!(shown.request_id.as_deref().map(str::len), Some(32));

    let chunks = acct
        .reboot_servers(Region::CnNorth4, std::slice::from_ref(&server), RebootType::Soft)
        .await
        .unwrap();
    let job: JobId = chunks[0].result.as_ref().unwrap().body.job_id.parse().unwrap();
    let running = acct.show_job(Region::CnNorth4, &job).await.unwrap();
    assert_eq!(running.body.status.as_ref().map(|s| s.as_str()), Some("RUNNING"));
    h.clock().advance(Duration::seconds(3));
    let done = acct.show_job(Region::CnNorth4, &job).await.unwrap();
    assert_eq!(done.body.status.as_ref().map(|s| s.as_str()), Some("SUCCESS"));

    let change = UpdateServerOption { name: Some("web-01".into()), ..Default::default() };
    let updated = acct.update_server(Region::CnNorth4, &server, &change).await.unwrap();
    assert_eq!(updated.body.name.as_deref(), Some("web-01"));

    let pw = SecretString::from("Lightdeck-2025".to_owned());
    let reset =
        acct.reset_passwords(Region::CnNorth4, std::slice::from_ref(&server), &pw).await.unwrap();
    assert!(reset[0].result.is_ok());

    let servers = acct.list_servers(Region::CnNorth4).await.unwrap();
    assert_eq!(servers.items.len(), 3);

    let package: PackageId = res.traffic_package_id().unwrap().parse().unwrap();
    let usage = acct.free_resource_usages(std::slice::from_ref(&package)).await.unwrap();
    assert_eq!(usage.items.len(), 1);
    let instance: InstanceId = res.id.parse().unwrap();
    let expiry = acct.instance_expiry(std::slice::from_ref(&instance)).await.unwrap();
    assert!(expiry.items.iter().any(|o| o.resource_id == res.id));
}

#[tokio::test]
async fn renew_and_unsubscribe_with_aksk() {
    let h = start().await;
    let acct = aksk_account(&h, 0);
    let items = acct.list_l_instances(Some(Region::CnNorth4)).await.unwrap().items;
    let ids: Vec<InstanceId> = items.iter().map(|r| r.id.parse().unwrap()).collect();
    let renew = acct
        .renew(&ids[..1], &RenewOptions { period: PeriodType::Month, count: 1, auto_pay: true })
        .await
        .unwrap();
    let order: OrderId = renew[0].result.as_ref().unwrap().body.order_ids[0].parse().unwrap();
    h.clock().advance(Duration::seconds(5));
    let details = acct.order_details(&order).await.unwrap();
    assert_eq!(details.body.order_info.status, 5);

    let gone = acct
        .unsubscribe(
            &ids[1..2],
            &UnsubscribeOptions {
                kind: UnsubscribeType::ResourceAndRenewals,
                reason_type: Some(5),
                reason: None,
            },
        )
        .await
        .unwrap();
    assert!(gone[0].result.is_ok());
    // Processing, then RMS catching up with the deletion.
    h.clock().advance(Duration::seconds(30) + Duration::minutes(10));
    assert_eq!(acct.list_l_instances(Some(Region::CnNorth4)).await.unwrap().items.len(), 2);
}

#[tokio::test]
async fn purchase_with_an_iam_password() {
    let h = start().await;
    let acct = password_account(&h, 1);
    assert_eq!(acct.domain_id().await.unwrap().as_str(), h.accounts()[1].domain_id);
    let req = PurchaseRequest {
        instance_name: "blog".into(),
        description: None,
        plan_spec: "hf.small.1.linux".into(),
        image_ref: Some(ImageRef {
            image_name: Some("WordPress".into()),
            image_version: Some("6.2.2".into()),
            image_id: None,
        }),
        region: "cn-north-4".into(),
        charging_mode: None,
        period_type: "month".into(),
        period_num: 1,
        purchase_quantity: None,
        is_auto_renew: None,
        is_auto_pay: Some(true),
        extra_resources: None,
        tags: None,
    };
    let crid = ClientRequestId::generate();
    let bought = acct.purchase(&req, &crid).await.unwrap();
    assert_eq!(bought.status, 202);
    let again = acct.purchase(&req, &crid).await.unwrap();
    assert_eq!(again.body.order_id, bought.body.order_id);
    h.clock().advance(Duration::seconds(5));
    let order: OrderId = bought.body.order_id.parse().unwrap();
    assert_eq!(acct.order_details(&order).await.unwrap().body.order_info.status, 5);
    let listed = acct.list_l_instances(Some(Region::CnNorth4)).await.unwrap();
    assert!(listed.items.iter().any(|r| r.id == bought.body.instance_ids[0]));
    // Token-based ECS works too.
    let res = listed.items.iter().find(|r| r.id == bought.body.instance_ids[0]).unwrap();
    let server: ServerId = res.server_id().unwrap().parse().unwrap();
    assert_eq!(acct.show_server(Region::CnNorth4, &server).await.unwrap().status, 200);
}

#[tokio::test]
async fn client_retries_throttling_and_reports_errors() {
    let h = start().await;
    let acct = aksk_account(&h, 0);
    let north = acct.list_l_instances(Some(Region::CnNorth4)).await.unwrap();
    let server: ServerId = north.items[0].server_id().unwrap().parse().unwrap();

    h.faults().reseed(1);
    h.faults().add("ShowServer:429:1".parse().unwrap());
    let err = acct.show_server(Region::CnNorth4, &server).await.unwrap_err();
    match err {
        Error::Api(e) => assert_eq!((e.status, e.code.as_str()), (429, "APIG.0308")),
        other => panic!("{other:?}"),
    }
    assert_eq!(h.count_requests("ShowServer"), 3, "three attempts");
    h.faults().clear();

    let missing: ServerId = "00000000-0000-4000-8000-000000000000".parse().unwrap();
    match acct.show_server(Region::CnNorth4, &missing).await.unwrap_err() {
        Error::Api(e) => {
            assert_eq!((e.status, e.code.as_str()), (404, "Ecs.0114"));
            assert_eq!(e.request_id.as_deref().map(str::len), Some(32));
        }
        other => panic!("{other:?}"),
    }
    let wrong = cloud(&h)
        .account(Credentials::from_aksk(AkSk::new(h.accounts()[0].ak.clone(), "x".repeat(40))));
    assert!(wrong.show_server(Region::CnNorth4, &server).await.is_err());
}
