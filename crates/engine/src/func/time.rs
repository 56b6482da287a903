//! Time functions: strftime, strptime, relative_time, time.

use crate::value::Value;

pub fn strftime(t: &Value, format: &Value) -> Value {
    match (t.as_number(), format.as_text()) {
        (Some(t), Some(f)) => crate::time::strftime(t, &f).map(Value::from).unwrap_or(Value::Null),
        _ => Value::Null,
    }
}

pub fn strptime(text: &Value, format: &Value) -> Value {
    match (text.as_text(), format.as_text()) {
        (Some(t), Some(f)) => crate::time::strptime(&t, &f).map(Value::number).unwrap_or(Value::Null),
        _ => Value::Null,
    }
}

pub fn relative(t: &Value, modifier: &Value) -> Value {
    match (t.as_number(), modifier.as_text()) {
        (Some(t), Some(m)) => crate::time::relative_time(t, &m)
            .map(Value::number)
            .unwrap_or(Value::Null),
        _ => Value::Null,
    }
}

pub fn wall_clock() -> f64 {
    let now = chrono::Utc::now();
    now.timestamp() as f64 + f64::from(now.timestamp_subsec_micros()) / 1e6
}
