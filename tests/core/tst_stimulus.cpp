#include <QtTest>

class Test_stimulus : public QObject {
    Q_OBJECT
};

QTEST_GUILESS_MAIN(Test_stimulus)
#include "tst_stimulus.moc"
