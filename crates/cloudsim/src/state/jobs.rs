//! ECS batch start/stop/reboot jobs: one parent job, one sub-job per server. Servers enter
//! their transitional state when the job is submitted and their final state when it ends.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::{State, fmt_millis, ids};

/// Sub-job error code when a server is in the wrong state for the action. Huawei's exact
/// code for this case is not documented; this is the simulator's choice.
pub const WRONG_STATE_CODE: &str = "Ecs.0112";
/// Sub-job error code for a server id that is not in the project (also the simulator's choice).
pub const NOT_FOUND_CODE: &str = "Ecs.0114";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PowerAction {
    Start,
    Stop { hard: bool },
    Reboot { hard: bool },
}

impl PowerAction {
    fn job_type(self) -> &'static str {
        match self {
            PowerAction::Start => "batchStartServers",
            PowerAction::Stop { .. } => "batchStopServers",
            PowerAction::Reboot { .. } => "batchRebootServers",
        }
    }

    fn sub_job_type(self) -> &'static str {
        match self {
            PowerAction::Start => "startServer",
            PowerAction::Stop { .. } => "stopServer",
            PowerAction::Reboot { .. } => "rebootServer",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SubJob {
    pub id: String,
    pub server_id: String,
    /// `(error_code, message)` when this server's part fails.
    pub error: Option<(String, String)>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Job {
    pub id: String,
    pub project_id: String,
    pub action: PowerAction,
    #[serde(with = "time::serde::rfc3339")]
    pub begin: OffsetDateTime,
    /// Absolute, so a job saved in a snapshot ends on time after a restart.
    #[serde(with = "time::serde::rfc3339")]
    pub end: OffsetDateTime,
    pub subs: Vec<SubJob>,
}

impl Job {
    pub fn is_done(&self, now: OffsetDateTime) -> bool {
        now >= self.end
    }

    fn status(&self, now: OffsetDateTime) -> &'static str {
        if !self.is_done(now) {
            "RUNNING"
        } else if self.subs.iter().any(|s| s.error.is_some()) {
            "FAIL"
        } else {
            "SUCCESS"
        }
    }

    /// The `ShowJob` response body.
    pub fn to_json(&self, now: OffsetDateTime) -> Value {
        let done = self.is_done(now);
        let end_time = if done { fmt_millis(self.end) } else { String::new() };
        let sub_jobs: Vec<Value> = self
            .subs
            .iter()
            .map(|s| {
                let (status, code, reason) = match (&s.error, done) {
                    (_, false) => ("RUNNING", Value::Null, Value::Null),
                    (None, true) => ("SUCCESS", Value::Null, Value::Null),
                    (Some((c, m)), true) => ("FAIL", json!(c), json!(m)),
                };
                let mut entities = json!({"server_id": s.server_id});
                if let (Some((c, m)), true) = (&s.error, done) {
                    entities["errorcode_message"] = json!(format!("{c}: {m}"));
                }
                json!({
                    "status": status,
                    "entities": entities,
                    "job_id": s.id,
                    "job_type": self.action.sub_job_type(),
                    "begin_time": fmt_millis(self.begin),
                    "end_time": end_time,
                    "error_code": code,
                    "fail_reason": reason,
                })
            })
            .collect();
        let first_error = self.subs.iter().find_map(|s| s.error.as_ref()).filter(|_| done);
        json!({
            "job_id": self.id,
            "job_type": self.action.job_type(),
            "status": self.status(now),
            "begin_time": fmt_millis(self.begin),
            "end_time": end_time,
            "error_code": first_error.map(|e| e.0.clone()),
            "fail_reason": first_error.map(|e| e.1.clone()),
            "entities": {"sub_jobs_total": self.subs.len(), "sub_jobs": sub_jobs},
        })
    }

    pub fn summary(&self, now: OffsetDateTime) -> Value {
        json!({
            "job_id": self.id,
            "job_type": self.action.job_type(),
            "project_id": self.project_id,
            "status": self.status(now),
            "servers": self.subs.iter().map(|s| &s.server_id).collect::<Vec<_>>(),
        })
    }
}

impl State {
    /// Submits one batch action; returns the job id. Servers in the wrong state (or not in
    /// this project) get a failing sub-job; the others start moving at once.
    pub fn submit_power_job(
        &mut self,
        project_id: &str,
        action: PowerAction,
        server_ids: &[String],
        now: OffsetDateTime,
    ) -> String {
        let id = ids::hex(&mut self.rng, 32);
        let mut subs = Vec::with_capacity(server_ids.len());
        for sid in server_ids {
            let sub_id = ids::hex(&mut self.rng, 32);
            let error = self.begin_power(project_id, sid, action, now);
            subs.push(SubJob { id: sub_id, server_id: sid.clone(), error });
        }
        let job = Job {
            id: id.clone(),
            project_id: project_id.to_owned(),
            action,
            begin: now,
            end: now + self.timings.job,
            subs,
        };
        self.add_pending_job(job);
        id
    }

    fn begin_power(
        &mut self,
        project_id: &str,
        server_id: &str,
        action: PowerAction,
        now: OffsetDateTime,
    ) -> Option<(String, String)> {
        let Some(inst) =
            self.instance_by_server_mut(server_id).filter(|i| i.project_id == project_id)
        else {
            return Some((
                NOT_FOUND_CODE.to_owned(),
                format!("server {server_id} does not exist in this project"),
            ));
        };
        let s = &mut inst.server;
        let wrong = |why: &str| Some((WRONG_STATE_CODE.to_owned(), why.to_owned()));
        if let Some(task) = &s.task_state {
            return wrong(&format!("server {server_id} is busy (task_state {task})"));
        }
        match (action, s.status.as_str()) {
            (PowerAction::Start, "SHUTOFF") => s.task_state = Some("powering-on".to_owned()),
            (PowerAction::Start, "ACTIVE") => {
                return wrong(&format!("server {server_id} is already running (status ACTIVE)"));
            }
            (PowerAction::Stop { .. }, "ACTIVE") => {
                s.task_state = Some("powering-off".to_owned());
            }
            (PowerAction::Stop { .. }, "SHUTOFF") => {
                return wrong(&format!("server {server_id} is already stopped (status SHUTOFF)"));
            }
            (PowerAction::Reboot { hard }, "ACTIVE") => {
                s.status = if hard { "HARD_REBOOT" } else { "REBOOT" }.to_owned();
                s.task_state = Some(if hard { "rebooting_hard" } else { "rebooting" }.to_owned());
            }
            (_, status) => {
                return wrong(&format!(
                    "server {server_id} cannot do this in its current status {status}"
                ));
            }
        }
        s.updated = now;
        None
    }

    pub(super) fn finish_job(&mut self, id: &str) {
        let Some(job) = self.jobs.get(id).cloned() else { return };
        for sub in job.subs.iter().filter(|s| s.error.is_none()) {
            let Some(inst) = self.instance_by_server_mut(&sub.server_id) else { continue };
            let s = &mut inst.server;
            s.task_state = None;
            s.status = match job.action {
                PowerAction::Stop { .. } => "SHUTOFF",
                PowerAction::Start | PowerAction::Reboot { .. } => "ACTIVE",
            }
            .to_owned();
            s.updated = job.end;
        }
    }
}
