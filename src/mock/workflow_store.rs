//! Workflows, their instances and the tasks waiting on people: the state machine behind
//! the Workflow REST API.

use serde_json::{Map, Value, json};

#[derive(Debug, Clone)]
pub struct Workflow {
    pub id: i64,
    pub default_version_id: i64,
    pub name: String,
    pub folder: String,
    pub system_name: String,
    pub description: String,
    /// Data fields and their JSON types ("string", "integer", "boolean").
    pub data_fields: Vec<(String, &'static str)>,
    pub activity: String,
    pub actions: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskStatus {
    Available,
    Open,
    Sleep,
}

impl TaskStatus {
    pub fn word(self) -> &'static str {
        match self {
            TaskStatus::Available => "Available",
            TaskStatus::Open => "Open",
            TaskStatus::Sleep => "Sleep",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Instance {
    pub id: i64,
    pub workflow_id: i64,
    pub folio: String,
    pub priority: i64,
    pub originator: String,
    pub data_fields: Map<String, Value>,
    pub completed_with: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Task {
    pub instance_id: i64,
    pub destination_id: i64,
    pub activity_instance_id: i64,
    pub status: TaskStatus,
    pub allocated_to: Option<String>,
    pub sleep_until: Option<String>,
    pub started: String,
}

impl Task {
    pub fn serial_number(&self) -> String {
        format!("{}_{}", self.instance_id, self.destination_id)
    }
}

#[derive(Debug, Clone, Default)]
pub struct WorkflowStore {
    pub workflows: Vec<Workflow>,
    pub instances: Vec<Instance>,
    pub tasks: Vec<Task>,
    next_instance: i64,
    next_destination: i64,
}

impl WorkflowStore {
    pub fn seeded() -> Self {
        let mut store = WorkflowStore {
            workflows: vec![
                Workflow {
                    id: 1,
                    default_version_id: 3,
                    name: "Leave Request".into(),
                    folder: "HR".into(),
                    system_name: "Leave_Request".into(),
                    description: "A request for days off, approved by a manager".into(),
                    data_fields: vec![("Days".into(), "integer"), ("Reason".into(), "string")],
                    activity: "Manager Approval".into(),
                    actions: vec!["Approve".into(), "Reject".into()],
                },
                Workflow {
                    id: 2,
                    default_version_id: 5,
                    name: "Expense Claim".into(),
                    folder: "Finance".into(),
                    system_name: "Expense_Claim".into(),
                    description: "An expense claim reviewed by finance".into(),
                    data_fields: vec![("Amount".into(), "number"), ("Description".into(), "string")],
                    activity: "Finance Review".into(),
                    actions: vec!["Approve".into(), "Decline".into(), "Rework".into()],
                },
            ],
            instances: Vec::new(),
            tasks: Vec::new(),
            next_instance: 1,
            next_destination: 1,
        };
        // A few tasks already waiting, as on a tenant in use.
        let seeds = [
            (1, "Seeded leave 1", json!({"Days": 2, "Reason": "Holiday"})),
            (1, "Seeded leave 2", json!({"Days": 5, "Reason": "Family"})),
            (2, "Seeded expense 1", json!({"Amount": 120.5, "Description": "Taxi"})),
        ];
        for (workflow, folio, fields) in seeds {
            let fields = match fields {
                Value::Object(m) => m,
                _ => Map::new(),
            };
            store.start(workflow, folio.into(), 1, "K2:DENALLIX\\administrator".into(), fields);
        }
        store
    }

    pub fn workflow(&self, id: i64) -> Option<&Workflow> {
        self.workflows.iter().find(|w| w.id == id)
    }

    /// Starts an instance and creates the task of its first activity.
    pub fn start(
        &mut self,
        workflow_id: i64,
        folio: String,
        priority: i64,
        originator: String,
        data_fields: Map<String, Value>,
    ) -> i64 {
        let id = self.next_instance;
        self.next_instance += 1;
        self.instances.push(Instance {
            id,
            workflow_id,
            folio,
            priority,
            originator,
            data_fields,
            completed_with: None,
        });
        let destination = self.next_destination;
        self.next_destination += 1;
        self.tasks.push(Task {
            instance_id: id,
            destination_id: destination,
            activity_instance_id: destination,
            status: TaskStatus::Available,
            allocated_to: None,
            sleep_until: None,
            started: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        });
        id
    }

    pub fn task_index(&self, serial: &str) -> Option<usize> {
        self.tasks.iter().position(|t| t.serial_number() == serial)
    }

    pub fn instance(&self, id: i64) -> Option<&Instance> {
        self.instances.iter().find(|i| i.id == id)
    }
}
