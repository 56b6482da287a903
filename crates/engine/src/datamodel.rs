//! CIM data models: datasets (objects) with a parent, a constraint search and fields, read
//! from `queries/datamodels/*.toml` (the format is described in `queries/datamodels/README.md`).
//!
//! An event belongs to a dataset when it matches the constraints of the dataset and of all its
//! parents. A field is named after the lineage of the dataset that defines it
//! (`Processes.process_name`, `All_Changes.Instance_Changes.image_id`) and read from the
//! event's field of the plain name.

use quarry_syntax::{Code, Diagnostic};
use serde::Deserialize;
use std::sync::OnceLock;

/// The shipped model files, by name.
const SHIPPED: &[(&str, &str)] = &[
    ("alerts.toml", include_str!("../../../queries/datamodels/alerts.toml")),
    (
        "authentication.toml",
        include_str!("../../../queries/datamodels/authentication.toml"),
    ),
    (
        "certificates.toml",
        include_str!("../../../queries/datamodels/certificates.toml"),
    ),
    ("change.toml", include_str!("../../../queries/datamodels/change.toml")),
    ("email.toml", include_str!("../../../queries/datamodels/email.toml")),
    (
        "endpoint.toml",
        include_str!("../../../queries/datamodels/endpoint.toml"),
    ),
    (
        "network_resolution.toml",
        include_str!("../../../queries/datamodels/network_resolution.toml"),
    ),
    (
        "network_traffic.toml",
        include_str!("../../../queries/datamodels/network_traffic.toml"),
    ),
    ("risk.toml", include_str!("../../../queries/datamodels/risk.toml")),
    ("updates.toml", include_str!("../../../queries/datamodels/updates.toml")),
    ("web.toml", include_str!("../../../queries/datamodels/web.toml")),
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataModel {
    /// `Endpoint`, as in `datamodel=Endpoint.Processes`.
    pub model: String,
    /// Where the definition was read.
    pub source: String,
    pub objects: Vec<DmObject>,
}

/// A dataset of a data model.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DmObject {
    pub name: String,
    #[serde(default)]
    pub parent: Option<String>,
    /// A search-language expression.
    pub constraint: String,
    /// Fields this dataset defines (not those it inherits).
    #[serde(default)]
    pub fields: Vec<String>,
    /// Calculated fields: name → eval expression over the event's fields
    /// (`action = 'if(isnull(action) OR action="", "unknown", action)'`).
    #[serde(default)]
    pub calculated: indexmap::IndexMap<String, String>,
}

impl DataModel {
    pub fn parse(text: &str, origin: &str) -> Result<DataModel, Diagnostic> {
        let model: DataModel = toml::from_str(text)
            .map_err(|e| Diagnostic::error(Code::Syntax, format!("{origin}: not a data model: {e}")))?;
        for object in &model.objects {
            if let Some(parent) = &object.parent {
                if model.object(parent).is_none() {
                    return Err(Diagnostic::error(
                        Code::Semantic,
                        format!("{origin}: `{}` has an unknown parent `{parent}`", object.name),
                    ));
                }
            }
        }
        Ok(model)
    }

    /// A dataset by name (`Processes`) or by lineage (`Authentication.Failed_Authentication`).
    pub fn object(&self, name: &str) -> Option<&DmObject> {
        let last = name.rsplit('.').next().unwrap_or(name);
        let object = self.objects.iter().find(|o| o.name == last)?;
        (name == last || self.lineage_name(object) == name).then_some(object)
    }

    /// The dataset and its parents, root first.
    pub fn lineage<'a>(&'a self, object: &'a DmObject) -> Vec<&'a DmObject> {
        let mut chain = vec![object];
        let mut current = object;
        while let Some(parent) = current.parent.as_deref().and_then(|p| self.object(p)) {
            if chain.iter().any(|o| o.name == parent.name) {
                break;
            }
            chain.push(parent);
            current = parent;
        }
        chain.reverse();
        chain
    }

    /// `Root.Child`: the prefix of the fields the dataset defines.
    pub fn lineage_name(&self, object: &DmObject) -> String {
        self.lineage(object)
            .iter()
            .map(|o| o.name.as_str())
            .collect::<Vec<_>>()
            .join(".")
    }

    pub fn roots(&self) -> impl Iterator<Item = &DmObject> {
        self.objects.iter().filter(|o| o.parent.is_none())
    }

    /// Is `object` the dataset `ancestor` or one of its descendants?
    pub fn descends_from(&self, object: &DmObject, ancestor: &DmObject) -> bool {
        self.lineage(object).iter().any(|o| o.name == ancestor.name)
    }

    /// Every field of the datasets for which `include` holds, as (`Lineage.field`, `field`),
    /// calculated fields included.
    pub fn field_names<'a>(
        &'a self,
        include: impl Fn(&DmObject) -> bool + 'a,
    ) -> impl Iterator<Item = (String, &'a str)> + 'a {
        self.objects.iter().filter(move |o| include(o)).flat_map(move |o| {
            let prefix = self.lineage_name(o);
            o.fields
                .iter()
                .chain(o.calculated.keys())
                .map(move |f| (format!("{prefix}.{f}"), f.as_str()))
        })
    }

    /// The calculation for the field `Lineage.field`, if the dataset computes it.
    pub fn calculation(&self, full_name: &str) -> Option<&str> {
        let (prefix, field) = full_name.rsplit_once('.')?;
        let object = self.object(prefix)?;
        (self.lineage_name(object) == prefix)
            .then(|| object.calculated.get(field).map(String::as_str))
            .flatten()
    }
}

/// The data models Quarry ships.
#[derive(Debug, Default)]
pub struct DataModels {
    models: Vec<DataModel>,
}

impl DataModels {
    pub fn get(&self, name: &str) -> Option<&DataModel> {
        self.models.iter().find(|m| m.model == name)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.models.iter().map(|m| m.model.as_str())
    }
}

/// The shipped models (`queries/datamodels/`), read once.
pub fn shipped() -> Result<&'static DataModels, Diagnostic> {
    static MODELS: OnceLock<Result<DataModels, Diagnostic>> = OnceLock::new();
    MODELS
        .get_or_init(|| {
            let mut models = Vec::new();
            for (file, text) in SHIPPED {
                models.push(DataModel::parse(text, &format!("queries/datamodels/{file}"))?);
            }
            Ok(DataModels { models })
        })
        .as_ref()
        .map_err(Clone::clone)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn every_shipped_model_reads_and_its_constraints_compile() {
        let models = shipped().unwrap();
        assert_eq!(models.names().count(), SHIPPED.len());
        for model in &models.models {
            for object in &model.objects {
                crate::lower::spl::compile_search_text(&object.constraint).unwrap();
                for expr in object.calculated.values() {
                    crate::lower::spl::compile_expr_text(expr).unwrap();
                }
            }
        }
    }

    #[test]
    fn fields_are_named_by_the_lineage_of_the_dataset_that_defines_them() {
        let change = shipped().unwrap().get("Change").unwrap();
        let instance = change.object("Instance_Changes").unwrap();
        assert_eq!(change.lineage_name(instance), "All_Changes.Instance_Changes");
        let names: Vec<String> = change
            .field_names(|o| change.descends_from(instance, o))
            .map(|(full, _)| full)
            .collect();
        assert!(names.contains(&"All_Changes.user".to_string()));
        assert!(names.contains(&"All_Changes.Instance_Changes.image_id".to_string()));
        assert!(!names.iter().any(|n| n.starts_with("All_Changes.Account_Management.")));
    }

    #[test]
    fn a_dataset_is_found_by_name_or_by_lineage() {
        let auth = shipped().unwrap().get("Authentication").unwrap();
        assert!(auth.object("Failed_Authentication").is_some());
        assert!(auth.object("Authentication.Failed_Authentication").is_some());
        assert!(auth.object("Web.Failed_Authentication").is_none());
    }
}
