//! Building instances: for purchases and for seeding a realistic fleet.

use std::collections::{BTreeMap, HashMap};

use lightdeck_huaweicloud::{Region, catalog};
use rand::Rng;
use time::{Duration, OffsetDateTime};

use super::{Instance, Net, Package, Period, Server, State, add_months, ids};

/// What a new instance is made of; everything else (ids, network, disk) is generated.
pub struct NewInstance {
    pub account: usize,
    pub region: Region,
    pub name: String,
    pub description: String,
    pub plan_spec: String,
    pub image_name: String,
    pub image_version: String,
    /// A private image's id (`image_ref.image_id`); otherwise one is made up.
    pub image_id: Option<String>,
    /// `(type, size)` of each extra resource (`evs`, `cbr`, `hss`).
    pub extras: Vec<(String, Option<i64>)>,
    pub created: OffsetDateTime,
    pub expires: OffsetDateTime,
    pub auto_renew: bool,
    pub tags: BTreeMap<String, String>,
    /// Share of the traffic package already used at `created` (0.0–1.0).
    pub used_share: f64,
    pub status: &'static str,
    /// The simulator's clock when the instance is built (the package cycle contains it).
    pub now: OffsetDateTime,
}

const NAMES: [&str; 20] = [
    "web", "db", "shop", "blog", "api", "cache", "mail", "git", "wiki", "vpn", "game", "crm",
    "erp", "files", "monitor", "staging", "test", "cms", "forum", "docs",
];

/// Images a seeded fleet is drawn from (others exist in the catalog; these are the usual).
const SEED_IMAGES: [&str; 8] = [
    "Ubuntu",
    "CentOS",
    "Debian",
    "Huawei Cloud EulerOS",
    "WordPress",
    "BT",
    "Nodejs",
    "WindowsServer",
];

/// `at7.large.1`-style flavor from vCPUs and RAM.
fn flavor_id(vcpus: u32, ram_mib: u32) -> String {
    let size = if vcpus >= 4 { "xlarge" } else { "large" };
    let ratio = match ram_mib / vcpus.max(1) {
        0..=256 => "025",
        257..=512 => "05",
        513..=1024 => "1",
        1025..=2048 => "2",
        _ => "4",
    };
    format!("at7.{size}.{ratio}")
}

impl State {
    /// Generates ids, network and disks for a new instance (not inserted yet).
    pub fn build_instance(&mut self, n: NewInstance) -> Instance {
        let spec = catalog::spec(&n.plan_spec);
        let (vcpus, ram_mib, disk_gib, mbps, traffic_gb) = spec
            .map_or((2, 2048, 40, 3, 400), |s| {
                (s.vcpus(), s.ram_mib(), s.disk_gib(), s.bandwidth_mbps(), s.traffic_gb())
            });
        let os_type = if n.plan_spec.ends_with(".win") { "Windows" } else { "Linux" };
        let rng = &mut self.rng;
        let short = ids::hex(rng, 4);
        let project_id = self
            .dir
            .get(n.account)
            .and_then(|a| a.project_id(n.region))
            .unwrap_or_default()
            .to_owned();
        let domain_id = self.dir.get(n.account).map(|a| a.domain_id.clone()).unwrap_or_default();
        let az_letter = ['a', 'b', 'c', 'g'][rng.random_range(0..4)];
        let server = Server {
            id: ids::uuid(rng),
            name: format!("hcss_ecs_{short}"),
            hostname: format!("hcss-ecs-{short}"),
            description: String::new(),
            status: n.status.to_owned(),
            task_state: None,
            flavor_id: flavor_id(vcpus, ram_mib),
            vcpus,
            ram_mib,
            disk_gib,
            availability_zone: format!("{}{az_letter}", n.region.id()),
            volume_id: ids::uuid(rng),
            os_type: os_type.to_owned(),
            created: n.created,
            updated: n.created,
            password_reset_at: None,
        };
        // The package's current cycle: the last monthly anniversary of the purchase.
        let mut start = n.created;
        while add_months(start, 1) <= n.now {
            start = add_months(start, 1);
        }
        let total = f64::from(traffic_gb);
        let package = Package {
            id: ids::uuid(rng),
            total_gb: total,
            used_gb: total * n.used_share.clamp(0.0, 1.0),
            used_at: n.created,
            gb_per_day: total * rng.random_range(0.002..0.02),
            start,
            end: add_months(start, 1).min(n.expires),
            product_id: ids::offering_id(rng),
        };
        let net = Net {
            vpc_id: ids::uuid(rng),
            subnet_id: ids::uuid(rng),
            port_id: ids::uuid(rng),
            security_group_id: ids::uuid(rng),
            mac: ids::mac(rng),
            private_ip: format!("192.168.0.{}", rng.random_range(2..254)),
            public_ip: String::new(),
            eip_id: ids::uuid(rng),
            bandwidth_id: ids::uuid(rng),
            bandwidth_mbps: mbps,
        };
        let mut inst = Instance {
            id: ids::hex(rng, 24),
            account: n.account,
            domain_id,
            region: n.region,
            project_id,
            name: n.name,
            description: n.description,
            plan_spec: n.plan_spec,
            image_name: n.image_name,
            image_version: n.image_version,
            image_id: match n.image_id {
                Some(id) => id,
                None => ids::uuid(rng),
            },
            created: n.created,
            updated: n.created,
            expires: n.expires,
            term_end: n.expires,
            auto_renew: n.auto_renew,
            order_id: String::new(),
            product_id: ids::offering_id(rng),
            tags: n.tags,
            extras: Vec::new(),
            server,
            net,
            package,
            pending_order: None,
            deleted_at: None,
            unfrozen: false,
        };
        inst.net.public_ip = self.next_public_ip();
        // Drawn last, so that instances without extras get the ids they always got.
        for (kind, size) in n.extras {
            let size_gib = size.and_then(|s| u32::try_from(s).ok());
            inst.extras.push(super::Extra { kind, size_gib, id: ids::uuid(&mut self.rng) });
        }
        inst
    }

    /// Seeds `per_account` instances into every account, spread over `regions`, with
    /// expiry dates and traffic use spread so that filters have something to find. Every
    /// instance comes from a completed purchase order; some orders bought two or three
    /// identical instances at once.
    pub fn seed(&mut self, regions: &[Region], per_account: usize, now: OffsetDateTime) {
        let combos: HashMap<Region, Vec<Combo>> =
            regions.iter().map(|r| (*r, combos_in(*r))).collect();
        for account in 0..self.dir.accounts.len() {
            let mut names = Names::default();
            // Instance k of an account lives in regions[k % regions.len()].
            for (r, region) in regions.iter().enumerate() {
                let Some(list) = combos.get(region).filter(|l| !l.is_empty()) else { continue };
                let mut left = (r..per_account).step_by(regions.len()).count();
                while left > 0 {
                    let quantity = match self.rng.random_range(0..100) {
                        0..80 => 1,
                        80..93 => 2,
                        _ => 3,
                    }
                    .min(left);
                    self.seed_purchase(account, *region, quantity, list, &mut names, now);
                    left -= quantity;
                }
            }
        }
    }

    /// One seeded purchase of `quantity` identical instances, bought so that they expire
    /// within the next year (a sixth of them within a week).
    fn seed_purchase(
        &mut self,
        account: usize,
        region: Region,
        quantity: usize,
        combos: &[Combo],
        names: &mut Names,
        now: OffsetDateTime,
    ) {
        let (image, version, spec) = combos[self.rng.random_range(0..combos.len())];
        let rng = &mut self.rng;
        let expires = settle_day(
            now + match rng.random_range(0..100) {
                0..15 => Duration::minutes(rng.random_range(60..7 * 24 * 60)),
                15..35 => Duration::minutes(rng.random_range(7 * 24 * 60..30 * 24 * 60)),
                _ => Duration::days(rng.random_range(30..365)),
            },
            now,
        );
        let wanted = match rng.random_range(0..100) {
            0..35 => 0,
            35..45 => 1,
            45..55 => 2,
            55..90 => 3,
            90..95 => 4,
            _ => 5,
        };
        // The shortest period from the wanted one up that was bought at least an hour ago.
        let period = PERIODS[wanted..]
            .iter()
            .copied()
            .find(|p| add_months(expires, -p.months()) < now - Duration::hours(1))
            .unwrap_or(PERIODS[PERIODS.len() - 1]);
        let bought = add_months(expires, -period.months());
        let auto_renew = rng.random_bool(0.3);
        let mut bought_instances = Vec::with_capacity(quantity);
        for _ in 0..quantity {
            let used_share = if self.rng.random_bool(0.25) {
                self.rng.random_range(0.80..0.97)
            } else {
                self.rng.random_range(0.02..0.75)
            };
            let status = if self.rng.random_bool(0.85) { "ACTIVE" } else { "SHUTOFF" };
            let name = names.next(&mut self.rng);
            let mut inst = self.build_instance(NewInstance {
                account,
                region,
                name,
                description: String::new(),
                plan_spec: spec.to_owned(),
                image_name: image.to_owned(),
                image_version: version.to_owned(),
                image_id: None,
                extras: Vec::new(),
                created: bought,
                expires,
                auto_renew,
                tags: BTreeMap::new(),
                used_share,
                status,
                now,
            });
            // Seeded instances have been using traffic since the cycle began.
            inst.package.used_at = now;
            bought_instances.push(inst);
        }
        self.seed_purchase_order(account, &mut bought_instances, period, bought);
        for inst in bought_instances {
            self.insert_instance(inst);
        }
    }
}

/// (image name, image version, plan spec).
type Combo = (&'static str, &'static str, &'static str);

/// Periods a seeded purchase is for: 1, 3, 6 months; 1, 2, 3 years.
const PERIODS: [Period; 6] = [
    Period { period_type: 2, period_num: 1 },
    Period { period_type: 2, period_num: 3 },
    Period { period_type: 2, period_num: 6 },
    Period { period_type: 3, period_num: 1 },
    Period { period_type: 3, period_num: 2 },
    Period { period_type: 3, period_num: 3 },
];

/// Moves an expiry off the 29th–31st, so that the purchase date `add_months(t, -n)` is never
/// clamped and `add_months(purchase, n)` gives `t` back exactly: to the 28th when that is
/// still an hour away, else to the 1st of the next month.
fn settle_day(t: OffsetDateTime, now: OffsetDateTime) -> OffsetDateTime {
    let day = t.day();
    if day <= 28 {
        return t;
    }
    let earlier = t - Duration::days(i64::from(day - 28));
    if earlier > now + Duration::hours(1) {
        earlier
    } else {
        t + Duration::days(i64::from(t.month().length(t.year()) - day + 1))
    }
}

/// Instance names per account: `web`, `web-02`, `db-01`, …
#[derive(Default)]
struct Names(HashMap<&'static str, u32>);

impl Names {
    fn next(&mut self, rng: &mut rand::rngs::StdRng) -> String {
        let base = NAMES[rng.random_range(0..NAMES.len())];
        let count = self.0.entry(base).or_insert(0);
        *count += 1;
        if *count == 1 && rng.random_bool(0.3) {
            base.to_owned()
        } else {
            format!("{base}-{:02}", *count)
        }
    }
}

/// Every (image, version, spec) the catalog sells in `region` among [`SEED_IMAGES`].
fn combos_in(region: Region) -> Vec<Combo> {
    let mut out = Vec::new();
    for image in catalog::images_in(region) {
        if !SEED_IMAGES.contains(&image.name()) {
            continue;
        }
        for version in image.versions_in(region) {
            for spec in image.specs_for(region, version) {
                out.push((image.name(), version, spec.code()));
            }
        }
    }
    out
}
