//! `lightdeck sim`: cloudsim (a local stand-in for the Huawei Cloud APIs) with its
//! credentials printed.

use std::io::Write;
use std::net::SocketAddr;

use anyhow::Context;
use clap::Args;
use lightdeck_cloudsim::{Config, FaultRule, Handle};
use lightdeck_huaweicloud::Region;
use secrecy::ExposeSecret;

#[derive(Args)]
pub struct SimArgs {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:9400")]
    pub listen: SocketAddr,
    /// Number of accounts to create.
    #[arg(long, default_value_t = 2)]
    pub accounts: usize,
    /// Flexus L instances per account.
    #[arg(long, default_value_t = 8)]
    pub instances: usize,
    /// Seed for every generated id, name and figure, and for fault draws.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Regions the seeded instances live in (comma-separated region ids).
    #[arg(long, value_delimiter = ',', default_value = "cn-north-4,ap-southeast-1")]
    pub regions: Vec<Region>,
    /// Inject a fault: OPERATION:KIND:PROBABILITY, KIND one of 429, 429svc, 500, drop,
    /// hang, drop_after, hang_after (the request is carried out, the answer lost),
    /// latency=MS; OPERATION a Huawei operation name (ShowServer, BatchRebootServers,
    /// ListAllResources, …) or *. Repeatable. Example: --fault ShowServer:429:0.5
    #[arg(long = "fault", value_name = "OP:KIND:PROB")]
    pub faults: Vec<FaultRule>,
    /// Seconds a start/stop/reboot job runs.
    #[arg(long, default_value_t = 3)]
    pub job_seconds: u32,
    /// Seconds a paid order takes to complete.
    #[arg(long, default_value_t = 5)]
    pub order_seconds: u32,
    /// Seconds an unsubscription takes before the instance is gone.
    #[arg(long, default_value_t = 30)]
    pub unsubscribe_seconds: u32,
    /// Seconds an order without auto-pay waits for (simulated) payment.
    #[arg(long, default_value_t = 10)]
    pub payment_seconds: u32,
    /// Print exactly one JSON line {"url", "accounts": [...]} on stdout instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Runs cloudsim until Ctrl-C or SIGTERM.
pub async fn run(args: SimArgs) -> anyhow::Result<()> {
    let secs = |s: u32| time::Duration::seconds(i64::from(s));
    let mut config = Config::builder()
        .listen(args.listen)
        .seed(args.seed)
        .accounts(args.accounts)
        .instances_per_account(args.instances)
        .regions(args.regions)
        .job_duration(secs(args.job_seconds))
        .order_duration(secs(args.order_seconds))
        .unsubscribe_duration(secs(args.unsubscribe_seconds))
        .payment_delay(secs(args.payment_seconds));
    for f in args.faults {
        config = config.fault(f);
    }
    let handle = lightdeck_cloudsim::spawn(config).await.context("starting cloudsim")?;
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", handle.credentials_json())?;
    } else {
        print_text(&mut out, &handle)?;
    }
    out.flush()?;
    drop(out);
    crate::shutdown::signal().await?;
    handle.shutdown().await;
    Ok(())
}

fn print_text(out: &mut impl Write, h: &Handle) -> std::io::Result<()> {
    writeln!(
        out,
        "cloudsim listening on {}  ({} instances, seeded in {} ms)",
        h.base_url(),
        h.instance_count(),
        h.seeded_in().as_millis()
    )?;
    for a in h.accounts() {
        writeln!(out)?;
        writeln!(out, "account {}", a.name)?;
        writeln!(out, "  domain id     {}", a.domain_id)?;
        writeln!(out, "  AK            {}", a.ak)?;
        writeln!(out, "  SK            {}", a.sk.expose_secret())?;
        writeln!(out, "  IAM user      {}", a.iam_user)?;
        writeln!(out, "  IAM password  {}", a.iam_password.expose_secret())?;
        for (region, project) in &a.projects {
            writeln!(out, "  project       {region:<15} {project}")?;
        }
    }
    writeln!(out)?;
    writeln!(out, "state: {}/_sim/state   requests: {}/_sim/requests", h.base_url(), h.base_url())?;
    writeln!(out, "Ctrl-C to stop.")
}
