//! ECS response bodies: `ServerDetail` (ShowServer, ListServersDetails) and
//! `UpdateServerResult`, following reference §5.3–5.4.

use serde_json::{Value, json};

use time::OffsetDateTime;

use crate::state::{Directory, Instance, fmt_seconds};

fn launched(t: time::OffsetDateTime) -> String {
    format!("{}.000000", fmt_seconds(t).trim_end_matches('Z'))
}

fn metadata(i: &Instance, now: OffsetDateTime) -> Value {
    let mut m = json!({
        "charging_mode": "1",
        "metering.order_id": i.order_id,
        "metering.product_id": i.product_id,
        "vpc_id": i.net.vpc_id,
        "metering.image_id": i.image_id,
        "metering.imagetype": "market",
        "metering.resourcespeccode": i.plan_spec,
        "metering.resourcetype": "1",
        "image_name": format!("{} {}", i.image_name, i.image_version).trim().to_owned(),
        "os_bit": "64",
        "os_type": i.server.os_type,
        "lockCheckEndpoint": "https://hcss.myhuaweicloud.com",
        "lockSource": "hcss",
        "lockSourceId": i.id,
        "lockScene": "OTHER_SVC_LOCK=changeos,resize,delete,attachvolume,detachvolume,detchnics,attachnics,renewfee",
        "__support_agent_list": "hss,hss-pc,ces",
        "virtual_env_type": "FusionCompute",
    });
    // `EcmResStatus` appears once a server has been frozen (reference §5.3).
    if i.is_frozen(now) {
        m["EcmResStatus"] = json!("freeze");
    } else if i.unfrozen {
        m["EcmResStatus"] = json!("normal");
    }
    m
}

/// `ServerDetail` of ShowServer / ListServersDetails.
pub fn server_detail(i: &Instance, dir: &Directory, now: OffsetDateTime) -> Value {
    let s = &i.server;
    let n = &i.net;
    let (vm_state, power_state) = s.vm_and_power_state();
    let user_id = dir.get(i.account).map(|a| a.user_id.clone()).unwrap_or_default();
    let addresses = json!({ n.vpc_id.clone(): [
        {
            "version": "4",
            "addr": n.private_ip,
            "primary": true,
            "OS-EXT-IPS:type": "fixed",
            "OS-EXT-IPS-MAC:mac_addr": n.mac,
            "OS-EXT-IPS:port_id": n.port_id,
        },
        {
            "version": "4",
            "addr": n.public_ip,
            "primary": true,
            "OS-EXT-IPS:type": "floating",
            "OS-EXT-IPS-MAC:mac_addr": n.mac,
            "OS-EXT-IPS:port_id": n.port_id,
        },
    ]});
    let fault = (s.status == "ERROR").then(|| {
        json!({"code": 500, "created": fmt_seconds(s.updated), "message": "Simulated fault", "details": "set through /_sim"})
    });
    json!({
        "id": s.id,
        "name": s.name,
        "description": s.description,
        "status": s.status,
        "OS-EXT-STS:vm_state": vm_state,
        "OS-EXT-STS:task_state": s.task_state,
        "OS-EXT-STS:power_state": power_state,
        "addresses": addresses,
        "flavor": {
            "id": s.flavor_id,
            "name": s.flavor_id,
            "disk": "0",
            "vcpus": s.vcpus.to_string(),
            "ram": s.ram_mib.to_string(),
            "gpus": [],
            "asic_accelerators": [],
        },
        "image": {"id": i.image_id},
        "metadata": metadata(i, now),
        "tags": ["_sys_type_hcss_l"],
        "sys_tags": [{"key": "_sys_enterprise_project_id", "value": "0"}],
        "created": fmt_seconds(s.created),
        "updated": fmt_seconds(s.updated),
        "OS-SRV-USG:launched_at": launched(s.created),
        "OS-SRV-USG:terminated_at": "",
        "hostId": format!("{:x}", s.id.len() * 7919),
        "OS-EXT-SRV-ATTR:host": format!("{}-host", s.availability_zone),
        "OS-EXT-SRV-ATTR:hypervisor_hostname": format!("{}-hv", s.availability_zone),
        "OS-EXT-SRV-ATTR:instance_name": format!("instance-{}", &s.id[..8.min(s.id.len())]),
        "OS-EXT-SRV-ATTR:hostname": s.hostname,
        "OS-EXT-SRV-ATTR:reservation_id": format!("r-{}", &i.id[..8.min(i.id.len())]),
        "OS-EXT-SRV-ATTR:launch_index": 0,
        "OS-EXT-SRV-ATTR:kernel_id": "",
        "OS-EXT-SRV-ATTR:ramdisk_id": "",
        "OS-EXT-SRV-ATTR:root_device_name": "/dev/vda",
        "OS-EXT-SRV-ATTR:user_data": null,
        "OS-EXT-AZ:availability_zone": s.availability_zone,
        "OS-DCF:diskConfig": "MANUAL",
        "os-extended-volumes:volumes_attached": [
            {"id": s.volume_id, "delete_on_termination": "true", "bootIndex": "0", "device": "/dev/vda"}
        ],
        "security_groups": [{"id": n.security_group_id, "name": "default"}],
        "key_name": null,
        "tenant_id": i.project_id,
        "user_id": user_id,
        "enterprise_project_id": "0",
        "locked": false,
        "host_status": "UP",
        "progress": 0,
        "fault": fault,
        "config_drive": "",
        "accessIPv4": "",
        "accessIPv6": "",
        "auto_terminate_time": "",
        "os:scheduler_hints": {},
        "cpu_options": {"hw:cpu_threads": 1},
        "enclave_options": {"enabled": false},
        "security_options": {"secure_boot_enabled": false, "tpm_enabled": false},
        "hypervisor": {"hypervisor_type": "kvm", "csd_hypervisor": ""},
        "network_interfaces": [{
            "port_id": n.port_id,
            "primary": true,
            "ip_addresses": [n.private_ip],
            "ipv6_addresses": [],
            "subnet_id": n.subnet_id,
            "association": {"public_ip_address": n.public_ip},
        }],
    })
}

/// `UpdateServerResult` (note `addresses[].version` is an integer here).
pub fn update_result(i: &Instance, dir: &Directory, base_url: &str, now: OffsetDateTime) -> Value {
    let s = &i.server;
    let user_id = dir.get(i.account).map(|a| a.user_id.clone()).unwrap_or_default();
    let link = format!("{base_url}/v1/{}/servers/{}", i.project_id, s.id);
    json!({
        "id": s.id,
        "name": s.name,
        "status": s.status,
        "tenant_id": i.project_id,
        "user_id": user_id,
        "image": "",
        "accessIPv4": "",
        "accessIPv6": "",
        "metadata": metadata(i, now),
        "addresses": { i.net.vpc_id.clone(): [{"addr": i.net.private_ip, "version": 4}] },
        "created": fmt_seconds(s.created),
        "updated": fmt_seconds(s.updated),
        "hostId": format!("{:x}", s.id.len() * 7919),
        "flavor": {"id": s.flavor_id, "links": [{"href": link, "rel": "bookmark"}]},
        "OS-DCF:diskConfig": "MANUAL",
        "progress": 0,
        "links": [{"href": link, "rel": "self"}],
        "locked": false,
        "description": s.description,
        "tags": ["_sys_type_hcss_l"],
        "OS-EXT-SRV-ATTR:user_data": null,
        "OS-EXT-SRV-ATTR:hostname": s.hostname,
        "security_options": {"secure_boot_enabled": false, "tpm_enabled": false},
    })
}
